package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const slackPath = "/services/T0000/B0000/XXXXsecretXXXX"

// slackReceiver checks a request as Slack's incoming webhook documentation
// (https://api.slack.com/messaging/webhooks) says: POST application/json to the hook's path,
// "text" always (the notification's fallback), attachments with "fallback", "color" and "text".
// It answers 200 "ok" like Slack.
func slackReceiver(t *testing.T) *robotReceiver {
	return startRobot(t, func(r *http.Request, body map[string]any) (int, string, string) {
		if r.URL.Path != slackPath {
			return 404, "no_service", "path " + r.URL.Path
		}
		if digString(body, "text") == "" || digString(body, "attachments", 0, "fallback") == "" ||
			!strings.HasPrefix(digString(body, "attachments", 0, "color"), "#") {
			return 400, "invalid_payload", "text, fallback or color missing"
		}
		return 200, "ok", ""
	})
}

func TestSlackMessage(t *testing.T) {
	rr := slackReceiver(t)
	o, err := NewOutlet(OutletConfig{Name: "chat", Type: "slack", URL: rr.URL + slackPath})
	if err != nil {
		t.Fatal(err)
	}
	cleared := testAlarm("a-2", "minor", "<!channel> & <https://evil.example.com|click>")
	cleared.Status, cleared.AckURL = "cleared", ""
	if err := o.Send(context.Background(), "", testNotification("cleared", testAlarm("a-1", "critical", "Over-voltage"), cleared)); err != nil {
		t.Fatalf("send: %v", err)
	}
	bodies, fails := rr.got()
	if len(fails) != 0 || len(bodies) != 1 {
		t.Fatalf("receiver refused: %v", fails)
	}
	if got := digString(bodies[0], "text"); got != "[CRITICAL] meter/m-001: Over-voltage (+1 more) (cleared)" {
		t.Errorf("text %q", got)
	}
	if got := digString(bodies[0], "attachments", 0, "color"); got != "#d32f2f" {
		t.Errorf("color %q, want critical's", got)
	}
	text := digString(bodies[0], "attachments", 0, "text")
	for _, want := range []string{"<https://pulse.example.com/ack/tok-a-1|Acknowledge>", "&lt;!channel&gt; &amp; &lt;https://evil.example.com|click&gt;", "voltage 262 V &gt; 250 V"} {
		if !strings.Contains(text, want) {
			t.Errorf("attachment text lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "/ack/") != 1 {
		t.Errorf("want one ack link (the cleared alarm has none):\n%s", text)
	}
	if _, err := NewOutlet(OutletConfig{Type: "slack", URL: rr.URL + slackPath, Secret: "x"}); err == nil {
		t.Error("a Slack outlet with a secret was accepted: Slack-compatible hooks are not signed")
	}
}

// TestRobotHTTPAnswers checks how an HTTP answer becomes a SendError, the same for every robot:
// 408, 425, 429 and 5xx are retried (Retry-After honoured on 429 and 503), 410 is Gone, other
// 4xx and redirects (never followed) are permanent, and no error shows the URL's path or query.
func TestRobotHTTPAnswers(t *testing.T) {
	followed := make(chan struct{}, 1)
	for _, tc := range []struct {
		status     int
		header     string
		body       string
		permanent  bool
		gone       bool
		retryAfter time.Duration
	}{
		{status: 429, header: "30", body: "rate_limited", retryAfter: 30 * time.Second},
		{status: 503, header: "7", body: "<html>busy</html>", retryAfter: 7 * time.Second},
		{status: 500, body: "rollup_error"},
		{status: 408},
		{status: 425},
		{status: 404, body: "no_service", permanent: true},
		{status: 403, body: "action_prohibited", permanent: true},
		{status: 410, body: "channel_is_archived", permanent: true, gone: true},
		{status: 302, permanent: true},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/elsewhere" {
				followed <- struct{}{}
				return
			}
			if tc.header != "" {
				w.Header().Set("Retry-After", tc.header)
			}
			if tc.status == 302 {
				w.Header().Set("Location", "/elsewhere")
			}
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		o, err := NewOutlet(OutletConfig{Type: "slack", URL: srv.URL + slackPath + "?token=qsecret"})
		if err != nil {
			t.Fatal(err)
		}
		se := wantSendError(t, o.Send(context.Background(), "", testNotification("raised", testAlarm("a-1", "critical", "x"))),
			srv.URL, tc.permanent, "XXXXsecretXXXX", "qsecret", "/services")
		if se.Status != tc.status || se.Gone != tc.gone || se.RetryAfter != tc.retryAfter {
			t.Errorf("%d: status %d gone %v retryAfter %v, want %d %v %v", tc.status, se.Status, se.Gone, se.RetryAfter, tc.status, tc.gone, tc.retryAfter)
		}
		if tc.body != "" && !strings.HasPrefix(tc.body, "<") && !strings.Contains(se.Reason, tc.body) {
			t.Errorf("%d: reason %q does not carry the receiver's word %q", tc.status, se.Reason, tc.body)
		}
		srv.Close()
	}
	select {
	case <-followed:
		t.Fatal("a redirect was followed")
	default:
	}

	// Nothing answers: a retryable error without the URL's secrets.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	o, _ := NewOutlet(OutletConfig{Type: "slack", URL: srv.URL + slackPath + "?token=qsecret"})
	se := wantSendError(t, o.Send(context.Background(), "", testNotification("raised")), srv.URL, false, "XXXXsecretXXXX", "qsecret", "/services")
	if se.Status != 0 {
		t.Fatalf("status %d, want 0 when nothing answered", se.Status)
	}
}

func TestRobotURLRefused(t *testing.T) {
	for _, u := range []string{"", "hooks.slack.com/services/x", "ftp://hooks.slack.com/x", "https:///x", "https://[::1/x"} {
		_, err := NewOutlet(OutletConfig{Type: "slack", URL: u})
		if err == nil {
			t.Errorf("url %q accepted", u)
		} else if u != "" && strings.Contains(err.Error(), "/x") {
			t.Errorf("url %q: the error repeats the URL: %v", u, err)
		}
	}
}
