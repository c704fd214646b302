package app_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
)

// Two Standard Webhooks secrets: the first signs, both are sent (a rotation).
const (
	hookSecret    = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	hookSecretOld = "whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ="
)

// hookCall is one request a receiver got.
type hookCall struct {
	ID, Timestamp, Signature string
	Body                     notify.WebhookBody
	Raw                      []byte
	Signed                   bool // a signature of the header verifies with the first secret
	SignedOld                bool // ... and one with the old secret
	Status                   int  // what the receiver answered
}

// receiver is a webhook receiver: a real HTTP server that checks Standard Webhooks signatures
// with its own HMAC (not Pulse's), records each request and answers what answer says.
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []hookCall
	answer func(n int, c hookCall) (status int, header http.Header) // nil: 200
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	c := hookCall{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
		Signature: req.Header.Get("webhook-signature"), Raw: raw}
	_ = json.Unmarshal(raw, &c.Body)
	c.Signed = verifies(hookSecret, c)
	c.SignedOld = verifies(hookSecretOld, c)
	r.mu.Lock()
	n := len(r.calls)
	status, header := http.StatusOK, http.Header(nil)
	if r.answer != nil {
		status, header = r.answer(n, c)
	}
	c.Status = status
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
}

// verifies checks the signature header against secret, as a receiver following Standard Webhooks
// does: HMAC-SHA256 of "id.timestamp.body", base64, any "v1," entry.
func verifies(secret string, c hookCall) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(c.ID + "." + c.Timestamp + "."))
	mac.Write(c.Raw)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(c.Signature) {
		if v, ok := strings.CutPrefix(sig, "v1,"); ok && hmac.Equal([]byte(v), []byte(want)) {
			return true
		}
	}
	return false
}

// Calls are the requests so far.
func (r *receiver) Calls() []hookCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookCall(nil), r.calls...)
}

// delivered are the requests answered 2xx.
func (r *receiver) delivered() []hookCall {
	var out []hookCall
	for _, c := range r.Calls() {
		if c.Status < 300 {
			out = append(out, c)
		}
	}
	return out
}

// withNotify configures a webhook outlet per receiver (named hook0, hook1, ...) and routes.
func withNotify(routes []notify.Route, receivers ...*receiver) func(*config.Config) {
	return func(c *config.Config) {
		c.Notify = notify.DefaultConfig()
		for i, r := range receivers {
			c.Notify.Outlets = append(c.Notify.Outlets, notify.OutletConfig{Name: hookName(i), Type: "webhook",
				URL: r.srv.URL + "/hook/secret-path?token=secret-query", Secrets: []string{hookSecret, hookSecretOld}})
		}
		c.Notify.Routes = routes
	}
}

func hookName(i int) string { return "hook" + string(rune('0'+i)) }

// fastNotify shortens the dispatcher's timers for a test (no assertion depends on them).
func fastNotify(a *app.App) {
	o := a.NotifyOptions()
	o.Poll, o.BackoffBase, o.BackoffMax, o.Lease = 20*time.Millisecond, 10*time.Millisecond, 50*time.Millisecond, 5*time.Second
}

// eachLink runs test on SQLite (link "": the node's own file), MariaDB and PostgreSQL.
func eachLink(t *testing.T, database string, test func(t *testing.T, link string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, "") })
	testsvc.EachDatabase(t, database, test)
}

// alarmsOf are the alarm ids of a call, in order.
func alarmsOf(c hookCall) []string {
	var ids []string
	for _, a := range c.Body.Data.Alarms {
		ids = append(ids, a.AlarmId)
	}
	return ids
}

var _ = model.AlarmKey{}
