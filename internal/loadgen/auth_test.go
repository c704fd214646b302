package loadgen_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/loadgen"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestRunWithAuth: against a real node with auth on, a run with a token and an ingest key delivers
// everything; without the token the servers refuse the first handshake (401), and without the key
// every POST (401), and the run says so rather than measuring nothing.
func TestRunWithAuth(t *testing.T) {
	const secret = "loadgen-test-secret-of-32-bytes-or-more"
	const key = "bG9hZGdlbi10ZXN0LWluZ2VzdC1rZXktZm9yLWF1dGg"
	sum := sha256.Sum256([]byte(key))
	addr := pulsenode.Start(t, func(c *config.Config) {
		c.Auth = config.Auth{
			Enabled: true,
			JWT:     config.JWT{HMACSecret: secret, Leeway: 30 * time.Second},
			IngestKeys: []config.IngestKey{{Name: "bench", KeySHA256: hex.EncodeToString(sum[:]),
				Allow: []string{"rowdata"}, Businesses: []string{"bench/*"}}},
		}
	}).Addr()
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "bench", "exp": time.Now().Add(time.Hour).Unix(),
		"pulse": map[string]any{"rowdata": []string{"bench/*"}},
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	run := func(token, key string) ([]loadgen.Result, error) {
		return loadgen.Run(context.Background(), loadgen.Config{
			Addrs: []string{addr}, Subs: 20, Keys: 2, Rates: []float64{100}, Duration: 500 * time.Millisecond,
			StragglerWait: time.Minute, Token: token, IngestKey: key,
		}, nil, nil)
	}

	results, err := run(token, key)
	if err != nil {
		t.Fatal(err)
	}
	if r := results[0]; !r.Auth || r.Published != 50 || r.PublishErrors != 0 || r.Delivered != r.Expected ||
		r.Expected != 10*r.Published || r.Lost != 0 || r.Disconnected != 0 || r.Error != "" {
		t.Errorf("with a token and a key: %+v", r)
	}

	if _, err := run("", key); err == nil || !strings.Contains(err.Error(), "(HTTP 401)") {
		t.Errorf("without a token: got %v, want the door's 401", err)
	}

	results, err = run(token, "")
	if err != nil {
		t.Fatal(err)
	}
	if r := results[0]; r.Published != 0 || r.PublishErrors != 50 || !strings.Contains(r.Error, "HTTP 401") || r.OK {
		t.Errorf("without a key: %+v", r)
	}
	if strings.Contains(results[0].Error, token) || strings.Contains(results[0].Error, key) {
		t.Error("the result shows a credential")
	}
}
