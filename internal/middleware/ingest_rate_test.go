package middleware_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// withIngestKey adds an ingest key for rowdata of meter/* at rate.
func withIngestKey(name string, rate float64) func(*config.Config) {
	return func(c *config.Config) {
		sum := sha256.Sum256([]byte(pulsenode.IngestKey(name)))
		c.Auth.IngestKeys = append(c.Auth.IngestKeys, config.IngestKey{Name: name, KeySHA256: hex.EncodeToString(sum[:]),
			Allow: []string{"rowdata"}, Businesses: []string{"meter/*"}, Rate: rate})
	}
}

// meterBatch is a batch of n row-data items for new meter ids prefix-0 ... prefix-(n-1).
func meterBatch(prefix string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"businessType":"meter","businessId":"%s-%d","data":{"v":%d}}`, prefix, i, i)
	}
	return `{"items":[` + strings.Join(items, ",") + `]}`
}

// TestIngestKeyRateCountsItems: the flood, a key of rate 5 posting batches of 1,000 new
// ids, publishes nothing: a batch larger than the key's burst (10 items) is 400 saying how to split
// it, and the bucket it drains answers 429. A batch costs its items: after a batch of 2 on a key of
// rate 0.6 (burst 2), the next request of one item is 429 with Retry-After.
func TestIngestKeyRateCountsItems(t *testing.T) {
	n := pulsenode.StartAuth(t, func(c *config.Config) {
		withIngestKey("meter-flood", 5)(c)
		withIngestKey("meter-slow", 0.6)(c)
	})
	flood := http.Header{"X-Api-Key": {pulsenode.IngestKey("meter-flood")}}
	for i := range 10 {
		status, env, h := n.Call(http.MethodPost, "/api/v1/rowdata", flood, meterBatch(fmt.Sprintf("ev%d", i), 1000))
		switch {
		case status == http.StatusBadRequest && strings.Contains(env.Message, `1000 items are more than ingest key "meter-flood" may send at once`) &&
			strings.Contains(env.Message, "send at most 10 items per request"):
		case status == http.StatusTooManyRequests && h.Get("Retry-After") != "":
		default:
			t.Fatalf("batch %d of 1000 items: %d %+v, want 400 (over the burst) or 429 with Retry-After", i, status, env)
		}
	}
	status, env, _ := n.Call(http.MethodGet, "/api/v1/businesses", pulsenode.Bearer(pulsenode.Token(t, "pump-user", pulsenode.Grants{RowData: []string{"*"}})), "")
	if status != http.StatusOK || strings.Contains(string(env.Data), "ev0-") {
		t.Fatalf("businesses after the flood: %d %s, want none of the flood's ids", status, env.Data)
	}

	slow := http.Header{"X-Api-Key": {pulsenode.IngestKey("meter-slow")}}
	if status, env, _ := n.Call(http.MethodPost, "/api/v1/rowdata", slow, meterBatch("m", 2)); status != http.StatusOK {
		t.Fatalf("a batch of 2 on a burst of 2: %d %+v", status, env)
	}
	status, env, h := n.Call(http.MethodPost, "/api/v1/rowdata", slow, meterBatch("m", 1))
	if status != http.StatusTooManyRequests || !strings.Contains(env.Message, "items per second") {
		t.Fatalf("one item after a batch of 2 on a burst of 2: %d %+v, want 429", status, env)
	}
	if secs, err := strconv.Atoi(h.Get("Retry-After")); err != nil || secs < 1 {
		t.Fatalf("Retry-After %q, want whole seconds >= 1", h.Get("Retry-After"))
	}
}
