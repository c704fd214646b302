package testsvc

import (
	"net"
	"testing"
	"time"
)

// MosquittoURL is the machine's MQTT broker (Mosquitto 2, shared subscriptions on).
const MosquittoURL = "tcp://127.0.0.1:1883"

// RequireMosquitto checks that the machine's Mosquitto accepts connections.
func RequireMosquitto(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:1883", 5*time.Second)
	if err != nil {
		Missing(t, "Mosquitto at 127.0.0.1:1883", err)
		return
	}
	_ = c.Close()
}
