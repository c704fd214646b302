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

// TestLimiterSpacesSends: at rate r, a token every 1/r, never two at once.
func TestLimiterSpacesSends(t *testing.T) {
	start := time.Unix(1000, 0)
	l := newLimiter(2, start)
	if ok, _ := l.take(start); !ok {
		t.Fatal("the first send waits")
	}
	if ok, wait := l.take(start); ok || wait != 500*time.Millisecond {
		t.Fatalf("a second send at once: %v %v", ok, wait)
	}
	if ok, _ := l.take(start.Add(499 * time.Millisecond)); ok {
		t.Fatal("sent before 1/rate")
	}
	if ok, _ := l.take(start.Add(time.Second)); !ok {
		t.Fatal("not sent after 1/rate")
	}
	if ok, _ := l.take(start.Add(10 * time.Second)); !ok {
		t.Fatal("not sent after a pause")
	}
	if ok, _ := l.take(start.Add(10 * time.Second)); ok {
		t.Fatal("a pause let a burst through")
	}
}
