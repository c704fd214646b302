package pulsenode

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
	"github.com/pulse-monitoring/pulse/internal/notify"
)

// Two Standard Webhooks secrets: the first signs, both are sent (a rotation).
const (
	HookSecret    = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	HookSecretOld = "whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ="
)

// HookCall is one request a Receiver got.
type HookCall struct {
	ID, Timestamp, Signature string
	Body                     notify.WebhookBody
	Raw                      []byte
	Signed                   bool // a signature of the header verifies with HookSecret
	SignedOld                bool // ... and one with HookSecretOld
	Status                   int  // what the receiver answered
}

// Receiver is a webhook receiver: a real HTTP server that checks Standard Webhooks signatures
// with its own HMAC (not Pulse's), records each request and answers what Answer says.
type Receiver struct {
	Srv    *httptest.Server
	mu     sync.Mutex
	calls  []HookCall
	Answer func(n int, c HookCall) (status int, header http.Header) // nil: 200; set before requests come
	// Hold, when set, is called with each request before Answer, outside the receiver's lock: a
	// test holds a request there while others come and go.
	Hold func(c HookCall)
}

// NewReceiver starts a Receiver, closed when the test ends.
func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{}
	r.Srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Srv.Close)
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	c := HookCall{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
		Signature: req.Header.Get("webhook-signature"), Raw: raw}
	_ = json.Unmarshal(raw, &c.Body)
	c.Signed = verifies(HookSecret, c)
	c.SignedOld = verifies(HookSecretOld, c)
	if r.Hold != nil {
		r.Hold(c)
	}
	r.mu.Lock()
	n := len(r.calls)
	status, header := http.StatusOK, http.Header(nil)
	if r.Answer != nil {
		status, header = r.Answer(n, c)
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
func verifies(secret string, c HookCall) bool {
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
func (r *Receiver) Calls() []HookCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]HookCall(nil), r.calls...)
}

// Delivered are the requests answered 2xx.
func (r *Receiver) Delivered() []HookCall {
	var out []HookCall
	for _, c := range r.Calls() {
		if c.Status < 300 {
			out = append(out, c)
		}
	}
	return out
}

// WithNotify configures a webhook outlet per receiver (named hook0, hook1, ...; see HookName)
// signing with HookSecret and HookSecretOld, and the routes.
func WithNotify(routes []notify.Route, receivers ...*Receiver) func(*config.Config) {
	return func(c *config.Config) {
		c.Notify = notify.DefaultConfig()
		for i, r := range receivers {
			c.Notify.Outlets = append(c.Notify.Outlets, notify.OutletConfig{Name: HookName(i), Type: "webhook",
				URL: r.Srv.URL + "/hook/secret-path?token=secret-query", Secrets: []string{HookSecret, HookSecretOld}})
		}
		c.Notify.Routes = routes
	}
}

// HookName is the outlet name WithNotify gives the i-th receiver.
func HookName(i int) string { return "hook" + string(rune('0'+i)) }

// FastNotify shortens the dispatcher's timers (a StartWith prepare; no assertion depends on them).
func FastNotify(a *app.App) {
	o := a.NotifyOptions()
	o.Poll, o.BackoffBase, o.BackoffMax, o.Lease = 20*time.Millisecond, 10*time.Millisecond, 50*time.Millisecond, 5*time.Second
}

// KindsOf are "alarmId:type" (type without "alarm.") of the calls' alarms, in order.
func KindsOf(calls []HookCall) []string {
	var out []string
	for _, c := range calls {
		for _, a := range c.Body.Data.Alarms {
			out = append(out, a.AlarmId+":"+strings.TrimPrefix(c.Body.Type, "alarm."))
		}
	}
	return out
}

// HasKind tells whether a call is of type kind ("alarm.acked").
func HasKind(calls []HookCall, kind string) bool {
	for _, c := range calls {
		if c.Body.Type == kind {
			return true
		}
	}
	return false
}

// Deliveries is GET .../deliveries of the alarm typ/id/alarmId, decoded.
func (n *Node) Deliveries(typ, id, alarmId string) []notify.Record {
	n.T.Helper()
	status, env := n.Get("/api/v1/alarms/"+typ+"/"+id+"/"+alarmId+"/deliveries", nil)
	if status != http.StatusOK {
		n.T.Fatalf("deliveries: %d %+v", status, env)
	}
	var res struct{ Items []notify.Record }
	if err := json.Unmarshal(env.Data, &res); err != nil {
		n.T.Fatal(err)
	}
	return res.Items
}

// Statuses are the statuses of outlet's records, in order.
func Statuses(records []notify.Record, outlet string) []string {
	var out []string
	for _, r := range records {
		if r.Outlet == outlet {
			out = append(out, r.Status)
		}
	}
	return out
}

// MetricsText is GET /metrics as text.
func (n *Node) MetricsText() string {
	n.T.Helper()
	resp, err := http.Get(n.Base + "/metrics")
	if err != nil {
		n.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
