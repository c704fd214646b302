package notify

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestSignMatchesStandardWebhooksVector: the signature of the Standard Webhooks libraries' own
// test vector (checked with the npm package standardwebhooks).
func TestSignMatchesStandardWebhooksVector(t *testing.T) {
	key, err := DecodeWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign([][]byte{key}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("signature %q", got)
	}
	two := Sign([][]byte{key, []byte("another-secret-of-24-bytes")}, "msg_x", 1, []byte("{}"))
	if len(two) < 2*len("v1,")+88 || two[:3] != "v1," {
		t.Fatalf("two secrets: %q", two)
	}
	for _, bad := range []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!", "whsec_c2hvcnQ="} {
		if _, err := DecodeWebhookSecret(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestHTTPStatusErrorClasses: which answers are retried, which are permanent, which say gone.
func TestHTTPStatusErrorClasses(t *testing.T) {
	for _, c := range []struct {
		status          int
		retryAfter      string
		permanent, gone bool
		wait            time.Duration
	}{
		{200, "", false, false, 0},
		{204, "", false, false, 0},
		{400, "", true, false, 0},
		{401, "", true, false, 0},
		{404, "", true, false, 0},
		{408, "", false, false, 0},
		{410, "", true, true, 0},
		{425, "", false, false, 0},
		{429, "7", false, false, 7 * time.Second},
		{500, "", false, false, 0},
		{503, "120", false, false, 2 * time.Minute},
		{503, "soon", false, false, 0},
		{302, "", false, false, 0},
	} {
		resp := &http.Response{StatusCode: c.status, Header: http.Header{}}
		if c.retryAfter != "" {
			resp.Header.Set("Retry-After", c.retryAfter)
		}
		err := HTTPStatusError(resp, "https://h.example")
		if c.status < 300 {
			if err != nil {
				t.Errorf("%d: %v", c.status, err)
			}
			continue
		}
		var se *SendError
		if !errors.As(err, &se) || se.Permanent != c.permanent || se.Gone != c.gone || se.RetryAfter != c.wait || se.Status != c.status {
			t.Errorf("%d %q: %+v", c.status, c.retryAfter, se)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := RetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); d != 90*time.Second {
		t.Errorf("an HTTP date: %v", d)
	}
	if d := RetryAfter("999999999", now); d != 24*time.Hour {
		t.Errorf("a huge Retry-After: %v", d)
	}
}

// TestCutErrorKeepsSchemeAndHost: a URL's path, query and userinfo never reach a record.
func TestCutErrorKeepsSchemeAndHost(t *testing.T) {
	err := &url.Error{Op: "Post", URL: "https://user:pw@oapi.dingtalk.com/robot/send?access_token=SECRET", Err: errors.New("dial tcp: connection refused")}
	got := CutError(err)
	if got != `Post "https://oapi.dingtalk.com": dial tcp: connection refused` {
		t.Errorf("%q", got)
	}
	se := &SendError{Status: 503, Where: "https://hooks.slack.com", Reason: "503 Service Unavailable"}
	if CutError(se) != "https://hooks.slack.com: 503 Service Unavailable" {
		t.Errorf("%q", CutError(se))
	}
}

// TestLimiterSpacesSends: at rate r, one slot every 1/r, never two at once; a slot beyond the
// horizon is not taken.
func TestLimiterSpacesSends(t *testing.T) {
	start := time.Unix(1000, 0)
	l := newLimiter(2)
	var slots []time.Duration
	for range 3 {
		slot, ok := l.reserve(start, time.Second)
		if !ok {
			t.Fatal("a slot within the horizon refused")
		}
		slots = append(slots, slot.Sub(start))
	}
	if slots[0] != 0 || slots[1] != 500*time.Millisecond || slots[2] != time.Second {
		t.Fatalf("slots %v", slots)
	}
	if slot, ok := l.reserve(start, time.Second); ok || slot.Sub(start) != 1500*time.Millisecond {
		t.Fatalf("beyond the horizon: %v %v", ok, slot.Sub(start))
	}
	if slot, ok := l.reserve(start.Add(time.Minute), 0); !ok || !slot.Equal(start.Add(time.Minute)) {
		t.Fatalf("after a pause: %v %v", ok, slot)
	}
	if _, ok := l.reserve(start.Add(time.Minute), 0); ok {
		t.Fatal("a pause let a burst through")
	}
}
