package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// BenchmarkAuthCost: what identity and access add to the two requests every dashboard and every
// ingest service make, on one node with auth off and on (an HS256 token, one ingest key):
//
//   - handshake: per op, one row-data WebSocket dialled, upgraded and closed;
//   - ingest: per op, one POST /api/v1/rowdata of one item over a kept-alive connection.
//
// Compare with benchstat: go test -run xxx -bench AuthCost -benchtime 2000x -count 10 ./internal/auth/
// (a fixed -benchtime keeps the handshakes within the ephemeral ports the closed ones hold a minute).
func BenchmarkAuthCost(b *testing.B) {
	const secret = "bench-secret-of-at-least-32-bytes!"
	const key = "YmVuY2gtaW5nZXN0LWtleS1mb3ItdGhlLWF1dGgtY29zdA"
	sum := sha256.Sum256([]byte(key))
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "bench", "exp": time.Now().Add(time.Hour).Unix(),
		"pulse": map[string]any{"rowdata": []string{"bench/*"}},
	}).SignedString([]byte(secret))
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"items":[{"businessType":"bench","businessId":"k0","data":{"seq":1,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}]}`)

	for _, auth := range []string{"off", "on"} {
		n := pulsenode.Start(b, func(c *config.Config) {
			if auth == "on" {
				c.Auth = config.Auth{
					Enabled: true,
					JWT:     config.JWT{HMACSecret: secret, Leeway: 30 * time.Second},
					IngestKeys: []config.IngestKey{{Name: "bench", KeySHA256: hex.EncodeToString(sum[:]),
						Allow: []string{"rowdata"}, Businesses: []string{"*"}}},
				}
			}
		})
		header := http.Header{}
		if auth == "on" {
			header.Set("Authorization", "Bearer "+token)
		}
		b.Run("op=handshake/auth="+auth, func(b *testing.B) {
			url := "ws" + strings.TrimPrefix(n.Base, "http") + "/ws/rowdata/bench/k0/bench"
			for b.Loop() {
				ws, resp, err := websocket.DefaultDialer.Dial(url, header)
				if err != nil {
					b.Fatalf("dial: %v (%v)", err, resp)
				}
				_ = ws.Close()
			}
		})
		b.Run("op=ingest/auth="+auth, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{Proxy: nil}}
			defer client.CloseIdleConnections()
			post := func() {
				req, _ := http.NewRequest(http.MethodPost, n.Base+"/api/v1/rowdata", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if auth == "on" {
					req.Header.Set("Authorization", "Bearer "+key)
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				answer, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("HTTP %d %s", resp.StatusCode, answer)
				}
			}
			for b.Loop() {
				post()
			}
		})
	}
}
