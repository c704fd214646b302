package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	dingToken  = "tok0123456789abcdef"
	dingSecret = "SECabc123+/=secret"
)

// dingTalkReceiver checks a request as DingTalk's custom robot documentation
// (https://open.dingtalk.com/document/robots/custom-robot-access) says a signed robot receives
// it: POST /robot/send?access_token=T&timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(secret,
// timestamp+"\n"+secret)))>, the timestamp within an hour of now, a markdown message. answer,
// when set, is what it answers a good request.
func dingTalkReceiver(t *testing.T, answer func() (int, string)) *robotReceiver {
	return startRobot(t, func(r *http.Request, body map[string]any) (int, string, string) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil || r.URL.Path != "/robot/send" || q.Get("access_token") != dingToken {
			return 200, `{"errcode":300001,"errmsg":"token is not exist"}`, "path or token: " + r.URL.String()
		}
		ms, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil || time.Since(time.UnixMilli(ms)).Abs() > time.Hour {
			return 200, `{"errcode":310000,"errmsg":"invalid timestamp"}`, "timestamp " + q.Get("timestamp")
		}
		// The raw query must carry the sign url-encoded: a bare '+' would read as a space.
		if raw := r.URL.RawQuery; strings.Contains(raw, "sign=") && strings.ContainsAny(strings.SplitN(raw[strings.Index(raw, "sign="):], "&", 2)[0][5:], "+/=") {
			return 200, `{"errcode":310000,"errmsg":"sign not match"}`, "sign not url-encoded: " + raw
		}
		mac := hmac.New(sha256.New, []byte(dingSecret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + dingSecret))
		if q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			return 200, `{"errcode":310000,"errmsg":"sign not match"}`, "sign " + q.Get("sign")
		}
		if digString(body, "msgtype") != "markdown" || digString(body, "markdown", "title") == "" || digString(body, "markdown", "text") == "" {
			return 200, `{"errcode":40035,"errmsg":"缺少参数 json"}`, "not a markdown message"
		}
		if answer != nil {
			s, a := answer()
			return s, a, ""
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`, ""
	})
}

func TestDingTalkSignedMarkdown(t *testing.T) {
	rr := dingTalkReceiver(t, nil)
	o, err := NewOutlet(OutletConfig{Name: "ding", Type: "dingtalk", URL: rr.URL + "/robot/send?access_token=" + dingToken, Secret: dingSecret})
	if err != nil {
		t.Fatal(err)
	}
	if o.Type() != "dingtalk" || o.Name() != "ding" || len(o.Targets()) != 1 || o.Targets()[0] != "" {
		t.Fatalf("outlet %s %s targets %q", o.Type(), o.Name(), o.Targets())
	}
	evil := testAlarm("a-2", "major", "see [here](https://evil.example.com) # now")
	if err := o.Send(context.Background(), "", testNotification("raised", testAlarm("a-1", "critical", "Over-voltage"), evil)); err != nil {
		t.Fatalf("send: %v", err)
	}
	bodies, fails := rr.got()
	if len(fails) != 0 || len(bodies) != 1 {
		t.Fatalf("receiver refused: %v", fails)
	}
	text := digString(bodies[0], "markdown", "text")
	for _, want := range []string{"Over-voltage", "[Acknowledge](https://pulse.example.com/ack/tok-a-1)", `\[here\](https://evil.example.com) # now`, "route meters-urgent"} {
		if !strings.Contains(text, want) {
			t.Errorf("markdown text lacks %q:\n%s", want, text)
		}
	}
	if title := digString(bodies[0], "markdown", "title"); !strings.HasPrefix(title, "[CRITICAL] meter/m-001: Over-voltage") {
		t.Errorf("title %q", title)
	}
}

func TestDingTalkRefusals(t *testing.T) {
	n := testNotification("raised", testAlarm("a-1", "critical", "Over-voltage"))

	// A wrong secret: the platform's answer is HTTP 200 with errcode 310000, a permanent failure.
	rr := dingTalkReceiver(t, nil)
	o, err := NewOutlet(OutletConfig{Type: "dingtalk", URL: rr.URL + "/robot/send?access_token=" + dingToken, Secret: "SECwrong"})
	if err != nil {
		t.Fatal(err)
	}
	se := wantSendError(t, o.Send(context.Background(), "", n), rr.URL, true, dingToken, "SECwrong", "/robot/send")
	if se.Status != 200 || !strings.Contains(se.Reason, "310000") {
		t.Fatalf("%v: want HTTP 200 and the errcode", se)
	}

	// Too fast (errcode 130101): retried.
	rr = dingTalkReceiver(t, func() (int, string) {
		return 200, `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`
	})
	o, _ = NewOutlet(OutletConfig{Type: "dingtalk", URL: rr.URL + "/robot/send?access_token=" + dingToken, Secret: dingSecret})
	wantSendError(t, o.Send(context.Background(), "", n), rr.URL, false, dingToken, dingSecret)

	// An unsigned robot: no timestamp or sign in the query.
	plain := startRobot(t, func(r *http.Request, body map[string]any) (int, string, string) {
		if q := r.URL.Query(); q.Has("sign") || q.Has("timestamp") || q.Get("access_token") != dingToken {
			return 200, `{"errcode":310000,"errmsg":"sign not match"}`, "query " + r.URL.RawQuery
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`, ""
	})
	o, _ = NewOutlet(OutletConfig{Type: "dingtalk", URL: plain.URL + "/robot/send?access_token=" + dingToken})
	if err := o.Send(context.Background(), "", n); err != nil {
		t.Fatalf("unsigned send: %v", err)
	}

	// A URL without access_token is refused at start.
	if _, err := NewOutlet(OutletConfig{Type: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send"}); err == nil {
		t.Fatal("a DingTalk URL without access_token was accepted")
	}
}
