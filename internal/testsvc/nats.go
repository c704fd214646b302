package testsvc

import (
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// NATSURL is the machine's NATS server, with JetStream enabled.
const NATSURL = "nats://127.0.0.1:4222"

// RequireNATS checks that the machine's NATS server answers.
func RequireNATS(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:4222", 5*time.Second)
	if err != nil {
		Missing(t, "NATS at "+NATSURL, err)
		return
	}
	_ = c.Close()
}

var natsSeq atomic.Int64

// NATSName is a stream, durable or subject prefix no other test (of this process, or of another
// checkout running at the same moment) uses: tests share the server.
func NATSName(prefix string) string {
	return fmt.Sprintf("%s%d_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1_000_000, natsSeq.Add(1))
}
