package pulsenode

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/database/gredis"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// ClusterConfig joins a node to the cluster of redisAddr, database link and a bus channel.
func ClusterConfig(redisAddr, link, channel string) func(*config.Config) {
	return func(c *config.Config) {
		c.Bus = config.Bus{Type: "redis", Channel: channel}
		c.Redis = gredis.Config{Address: redisAddr}
		c.Database = gdb.ConfigNode{Link: link}
	}
}

// Channel is a bus channel no other test run uses.
func Channel() string {
	return fmt.Sprintf("pulse-test-%d-%d", os.Getpid(), time.Now().UnixNano())
}

// StartCluster starts n nodes sharing redisAddr, the database link and a fresh bus channel, and
// waits until each is ready (subscribed to Redis, database answering). With auth, the nodes
// enforce identity and access and the tests' requests carry credentials (Node.withCredentials).
func StartCluster(t *testing.T, n int, redisAddr, link string, auth bool) []*Node {
	t.Helper()
	channel := Channel()
	nodes := make([]*Node, n)
	for i := range nodes {
		nodes[i] = Start(t, func(c *config.Config) {
			ClusterConfig(redisAddr, link, channel)(c)
			if auth {
				WithAuth(t)(c)
			}
		})
		nodes[i].Credentials = auth
	}
	for _, nd := range nodes {
		poll.Eventually(t, func() bool { code, _ := nd.Get("/readyz", nil); return code == http.StatusOK },
			"node %s never became ready", nd.Base)
	}
	return nodes
}

// RowValue is the "i" in a row-data object's business data, -1 for anything else.
func RowValue(o Object) int {
	var d struct{ Data struct{ I *int } }
	if o.Type != "rowdata" || json.Unmarshal(o.Data, &d) != nil || d.Data.I == nil {
		return -1
	}
	return *d.Data.I
}
