package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/client"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// quick retries: the tests wait for conditions, never for the default back-off.
var quick = client.WithRetry(client.RetryPolicy{MaxAttempts: 0, MinDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond})

func newClient(t *testing.T, base string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(base, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// testContext ends when the test would otherwise hang.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 4*poll.Patience)
	t.Cleanup(cancel)
	return ctx
}

// TestSendRowDataAndAlarm: one row-data item and one alarm, each its own request, arrive: the row
// in the server's history of its business, the alarm in the alarm list with count 1; SendAlarms
// returns the server's receipt, with the id the server chose for an alarm without one.
func TestSendRowDataAndAlarm(t *testing.T) {
	s := startServer(t, "")
	c := newClient(t, s.URL(), quick)
	ctx := testContext(t)

	if err := c.SendRowDataBusinessData(ctx, client.BusinessData{
		BusinessType: "meter", BusinessId: "m-1", Data: map[string]any{"voltage": 229.8},
	}); err != nil {
		t.Fatal(err)
	}
	rows := s.history(t, "meter", "m-1")
	if len(rows) != 1 || string(rows[0].Data.Data) != `{"voltage":229.8}` {
		t.Fatalf("history of meter/m-1: %+v, want the item sent", rows)
	}

	if err := c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{
		AlarmId: "a-1", BusinessType: "meter", BusinessId: "m-1", Level: client.LevelCritical, Title: "Over-voltage",
	}); err != nil {
		t.Fatal(err)
	}
	receipts, err := c.SendAlarms(ctx,
		client.AlarmBusinessData{BusinessType: "pump", BusinessId: "p-7", Title: "Pressure"},
		client.AlarmBusinessData{AlarmId: "a-1", BusinessType: "meter", BusinessId: "m-1", Action: client.ActionClear})
	if err != nil {
		t.Fatal(err)
	}
	if len(receipts) != 2 || !strings.HasPrefix(receipts[0].AlarmId, "a-") || receipts[0].Seq != 2 ||
		receipts[1].AlarmId != "a-1" || receipts[1].Seq != 3 {
		t.Fatalf("receipts %+v, want a generated id with seq 2, then a-1 with seq 3", receipts)
	}

	byId := map[string]listedAlarm{}
	for _, a := range s.alarms(t) {
		byId[a.AlarmId] = a
	}
	if a := byId["a-1"]; len(byId) != 2 || a.Level != "critical" || a.Title != "Over-voltage" || a.Status != "cleared" || a.Count != 1 {
		t.Fatalf("alarms %+v, want a-1 (critical, cleared, count 1) and the pump's", byId)
	}
	if a := byId[receipts[0].AlarmId]; a.BusinessId != "p-7" || a.Level != "warning" || a.Count != 1 {
		t.Fatalf("the pump's alarm: %+v", a)
	}
}

// TestBatching: with batching, sends return at once and the items go in batches: on size, on the
// interval, on Flush, and on Close; after Close a send is refused.
func TestBatching(t *testing.T) {
	s := startServer(t, "")
	rec := &recorder{}
	c, err := client.New(s.URL(), quick, client.WithBatching(10, time.Hour), client.WithHTTPClient(rec.client()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	for i := range 25 {
		if err := c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{AlarmId: fmt.Sprintf("b-%02d", i), BusinessType: "meter", BusinessId: "m-1"}); err != nil {
			t.Fatal(err)
		}
		if err := c.SendRowDataBusinessData(ctx, client.BusinessData{BusinessType: "meter", BusinessId: "m-1", Data: i}); err != nil {
			t.Fatal(err)
		}
	}
	// Two full batches of each kind go without a flush (the interval is an hour).
	poll.Eventually(t, func() bool { return len(s.alarms(t)) == 20 && len(s.history(t, "meter", "m-1")) == 20 },
		"the two full batches of each kind were not sent")
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(s.alarms(t)); n != 25 {
		t.Fatalf("%d alarms after Flush, want 25", n)
	}
	rows := s.history(t, "meter", "m-1")
	if len(rows) != 25 || string(rows[24].Data.Data) != "24" {
		t.Fatalf("%d rows after Flush, want 25 in order", len(rows))
	}
	if got := rec.count(); got != 6 {
		t.Fatalf("%d requests, want 6: batches of 10, 10 and 5 of each kind", got)
	}

	if err := c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{AlarmId: "last", BusinessType: "meter", BusinessId: "m-1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(s.alarms(t)); n != 26 {
		t.Fatalf("%d alarms after Close, want 26: Close sends what is buffered", n)
	}
	if err := c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1"}); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("send after Close: %v, want ErrClosed", err)
	}

	// A partial batch goes on the interval alone.
	timed := newClient(t, s.URL(), quick, client.WithBatching(1000, 10*time.Millisecond))
	if err := timed.SendAlarmBusinessData(ctx, client.AlarmBusinessData{AlarmId: "timed", BusinessType: "meter", BusinessId: "m-1"}); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, func() bool { return len(s.alarms(t)) == 27 }, "the interval did not send a partial batch")
}

// TestBadItemIsTypedError: a refusal is an *Error with the server's status, code and message, and
// is not retried; with batching, the batch comes back from Flush as a *BatchError holding its
// items, none of which was stored.
func TestBadItemIsTypedError(t *testing.T) {
	s := startServer(t, "")
	rec := &recorder{}
	c := newClient(t, s.URL(), quick, client.WithHTTPClient(rec.client()))
	ctx := testContext(t)

	err := c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1", Level: "fatal"})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Code != 51 ||
		!strings.HasPrefix(e.Message, "level: must be one of critical") {
		t.Fatalf("err %v, want *Error 400, code 51, level: ...", err)
	}
	if rec.count() != 1 {
		t.Fatalf("%d attempts, want 1: a 400 is final", rec.count())
	}
	_, err = c.SendRowData(ctx, client.BusinessData{BusinessType: "pulse", BusinessId: "x"})
	if !errors.As(err, &e) || e.Status != http.StatusForbidden || e.Code != 1403 {
		t.Fatalf("row data of the reserved type: %v, want *Error 403 code 1403", err)
	}

	batched := newClient(t, s.URL(), quick, client.WithBatching(10, time.Hour))
	good := client.AlarmBusinessData{AlarmId: "good", BusinessType: "meter", BusinessId: "m-1"}
	bad := client.AlarmBusinessData{AlarmId: "bad", BusinessType: "meter", BusinessId: "m-1", Level: "fatal"}
	for _, a := range []client.AlarmBusinessData{good, bad} {
		if err := batched.SendAlarmBusinessData(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	err = batched.Flush(ctx)
	var be *client.BatchError
	if !errors.As(err, &be) || len(be.Alarms) != 2 || be.Alarms[1].AlarmId != "bad" ||
		!errors.As(err, &e) || e.Code != 51 || !strings.HasPrefix(e.Message, "items[1].level:") {
		t.Fatalf("Flush: %v, want a *BatchError of both alarms around *Error code 51 items[1].level", err)
	}
	if err := batched.Flush(ctx); err != nil {
		t.Fatalf("second Flush: %v, want nil: a failure is returned once", err)
	}
	if n := len(s.alarms(t)); n != 0 {
		t.Fatalf("%d alarms stored, want 0: a batch is all or nothing", n)
	}
}

// TestIngestKeyAndRateLimit: with auth on the client's ingest key is what the server expects; a
// key over its rate is answered 429 with Retry-After, which the client waits before it retries,
// and the alarm is stored once. Without the key: 401 code 61, not retried.
func TestIngestKeyAndRateLimit(t *testing.T) {
	const key = "k-test-0123456789abcdef0123456789abcdef"
	s := startServer(t, fmt.Sprintf(`auth:
  enabled: true
  jwt:
    hmacSecret: "0123456789abcdef0123456789abcdef-secret"
  ingestKeys:
    - name: "meter-gateway"
      keySha256: %q
      allow: ["rowdata", "alarm"]
      businesses: ["meter/*"]
      rate: 1
`, sha256Hex(key)))
	rec := &recorder{}
	c := newClient(t, s.URL(), quick, client.WithIngestKey(key), client.WithHTTPClient(rec.client()))
	ctx := testContext(t)

	// The key may send 2 items at once and 1 a second: alarms sent one after the other soon find
	// it over its rate. Each is stored once all the same: its seq is the next one.
	var attempts []attempt
	limited := -1
	for i := 1; limited < 0; i++ {
		if i > 50 {
			t.Fatalf("50 alarms at a key of rate 1 were never refused: attempts %+v", rec.all())
		}
		receipts, err := c.SendAlarms(ctx, client.AlarmBusinessData{AlarmId: fmt.Sprintf("r-%d", i), BusinessType: "meter", BusinessId: "m-1"})
		if err != nil || len(receipts) != 1 || receipts[0].Seq != int64(i) {
			t.Fatalf("alarm %d: %+v %v, want seq %d", i, receipts, err, i)
		}
		attempts = rec.all()
		for j, a := range attempts {
			if a.status == http.StatusTooManyRequests {
				limited = j
				break
			}
		}
	}
	if limited+1 >= len(attempts) || attempts[limited+1].status != http.StatusOK {
		t.Fatalf("attempts %+v, want a 429 followed by a retry that passed", attempts)
	}
	after := parseSeconds(t, attempts[limited].retryAfter)
	if gap := attempts[limited+1].start.Sub(attempts[limited].end); gap < after {
		t.Fatalf("retried %v after a 429 with Retry-After %v", gap, after)
	}
	if attempts[limited].idemKey != attempts[limited+1].idemKey {
		t.Fatal("the retry had another Idempotency-Key")
	}

	anonymous := newClient(t, s.URL(), quick)
	_, err := anonymous.SendAlarms(ctx, client.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1"})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnauthorized || e.Code != 61 {
		t.Fatalf("without the key: %v, want *Error 401 code 61", err)
	}
}

// TestRetryAfter503AndServerErrors: a 503 with Retry-After, then a 502 page of a proxy: the
// client waits what the 503 asked, retries with the same Idempotency-Key and the same bytes, and
// the alarm is stored once. A front server of the test's own answers the errors, then passes the
// request on to the real server.
func TestRetryAfter503AndServerErrors(t *testing.T) {
	s := startServer(t, "")
	f := newFront(t, s, func(n int, w http.ResponseWriter) bool {
		switch n {
		case 1:
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"code":63,"message":"alarm store unavailable","data":null}`))
			return true
		case 2:
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
			return true
		}
		return false
	})
	c := newClient(t, f.url(), quick)
	if err := c.SendAlarmBusinessData(testContext(t), client.AlarmBusinessData{AlarmId: "once", BusinessType: "meter", BusinessId: "m-1"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.all()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (503, 502, 200)", len(reqs))
	}
	if gap := reqs[1].start.Sub(reqs[0].end); gap < time.Second {
		t.Fatalf("retried %v after a 503 with Retry-After: 1", gap)
	}
	for _, r := range reqs[1:] {
		if r.idemKey != reqs[0].idemKey || r.body != reqs[0].body || r.idemKey == "" {
			t.Fatalf("requests %+v: every attempt must carry the first one's key and bytes", reqs)
		}
	}
	if a := s.alarms(t); len(a) != 1 || a[0].Count != 1 {
		t.Fatalf("alarms %+v, want once with count 1", a)
	}

	// Without retries the 503 is the answer, as an *Error with the server's code.
	f.reset()
	once := newClient(t, f.url(), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	err := once.SendAlarmBusinessData(testContext(t), client.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1"})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 503 || e.Code != 63 || e.RetryAfter != time.Second {
		t.Fatalf("err %v, want *Error 503 code 63 with RetryAfter 1s", err)
	}
}

// TestContextEndsRetries: a context that ends stops the retries and the waits between them.
func TestContextEndsRetries(t *testing.T) {
	addr := pulseproc.FreeAddr(t) // nothing listens: every attempt is a connection error, retried forever
	rec := &recorder{}
	c := newClient(t, "http://"+addr, client.WithHTTPClient(rec.client()),
		client.WithRetry(client.RetryPolicy{MinDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1"})
	}()
	poll.Eventually(t, func() bool { return rec.count() >= 3 }, "no retries")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestNewRefusesBadOptions: what cannot work is refused by New.
func TestNewRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		base string
		opts []client.Option
	}{
		{"127.0.0.1:8000", nil},
		{"ftp://host", nil},
		{"http://", nil},
		{"http://host", []client.Option{client.WithBatching(1001, time.Second)}},
		{"http://host", []client.Option{client.WithBatching(10, 0)}},
		{"http://host", []client.Option{client.WithIngestKey("a\nb")}},
		{"http://host", []client.Option{client.WithRetry(client.RetryPolicy{MinDelay: time.Second, MaxDelay: time.Millisecond})}},
	} {
		if _, err := client.New(tc.base, tc.opts...); err == nil {
			t.Errorf("New(%q, %d options) was accepted", tc.base, len(tc.opts))
		}
	}
}

// TestBatchesFitTheBodyLimit: a batch is cut before its body would pass the server's 1 MiB, so
// 100 alarms of 15 KiB each go in two requests, both accepted, rather than one refused with 413.
func TestBatchesFitTheBodyLimit(t *testing.T) {
	s := startServer(t, "")
	rec := &recorder{}
	c := newClient(t, s.URL(), quick, client.WithBatching(1000, time.Hour), client.WithHTTPClient(rec.client()))
	ctx := testContext(t)
	filler := strings.Repeat("x", 15<<10)
	for i := range 100 {
		if err := c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{
			AlarmId: fmt.Sprintf("big-%02d", i), BusinessType: "meter", BusinessId: "m-1", Data: filler,
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(s.alarms(t)); n != 100 {
		t.Fatalf("%d alarms stored, want 100", n)
	}
	if n := rec.count(); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

// TestCloseGivesUpWithItsContext: Close keeps trying to deliver what is buffered until its
// context ends, then returns the batch as a *BatchError holding its alarms.
func TestCloseGivesUpWithItsContext(t *testing.T) {
	rec := &recorder{}
	c, err := client.New("http://"+pulseproc.FreeAddr(t), client.WithHTTPClient(rec.client()), client.WithBatching(10, time.Hour),
		client.WithRetry(client.RetryPolicy{MinDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := c.SendAlarmBusinessData(context.Background(), client.AlarmBusinessData{AlarmId: fmt.Sprint(i), BusinessType: "meter", BusinessId: "m-1"}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	closed := make(chan error, 1)
	go func() { closed <- c.Close(ctx) }()
	poll.Eventually(t, func() bool { return rec.count() >= 3 }, "Close did not try to deliver the batch")
	cancel()
	err = <-closed
	var be *client.BatchError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &be) || len(be.Alarms) != 3 {
		t.Fatalf("Close: %v, want context.Canceled and a *BatchError of the 3 alarms", err)
	}
}
