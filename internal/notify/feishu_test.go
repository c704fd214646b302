package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	feishuHook   = "/open-apis/bot/v2/hook/3f6c0d1e-hook-token"
	feishuSecret = "fs-secret-0123456789"
)

// feishuReceiver checks a request as Feishu's custom bot documentation
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot) says a bot with signature
// verification receives it: POST to the hook path, "timestamp" (seconds, within an hour of now)
// and "sign" in the JSON body, sign = base64(HmacSHA256 keyed with timestamp+"\n"+secret over an
// empty message); an interactive card. answer, when set, is what it answers a good request.
func feishuReceiver(t *testing.T, answer func() (int, string)) *robotReceiver {
	return startRobot(t, func(r *http.Request, body map[string]any) (int, string, string) {
		if r.URL.Path != feishuHook || r.URL.RawQuery != "" {
			return 404, `{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}`, "path " + r.URL.String()
		}
		ts := digString(body, "timestamp")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Hour {
			return 200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, "timestamp " + ts
		}
		mac := hmac.New(sha256.New, []byte(ts+"\n"+feishuSecret))
		if digString(body, "sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			return 200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, "sign"
		}
		if digString(body, "msg_type") != "interactive" || digString(body, "card", "header", "title", "tag") != "plain_text" ||
			digString(body, "card", "elements", 0, "text", "tag") != "lark_md" {
			return 200, `{"code":9499,"msg":"Bad Request"}`, "not an interactive card"
		}
		if answer != nil {
			s, a := answer()
			return s, a, ""
		}
		return 200, `{"code":0,"data":{},"msg":"success"}`, ""
	})
}

func TestFeishuSignedCard(t *testing.T) {
	rr := feishuReceiver(t, nil)
	o, err := NewOutlet(OutletConfig{Name: "lark", Type: "feishu", URL: rr.URL + feishuHook, Secret: feishuSecret})
	if err != nil {
		t.Fatal(err)
	}
	n := testNotification("escalated", testAlarm("a-1", "critical", "Over-voltage"), testAlarm("a-2", "minor", `<at id=all></at> look`))
	n.Step = "mail-after-10m"
	if err := o.Send(context.Background(), "", n); err != nil {
		t.Fatalf("send: %v", err)
	}
	bodies, fails := rr.got()
	if len(fails) != 0 || len(bodies) != 1 {
		t.Fatalf("receiver refused: %v", fails)
	}
	card := dig(bodies[0], "card")
	if got := digString(card, "header", "title", "content"); got != "[CRITICAL] meter/m-001: Over-voltage (+1 more) (not acknowledged (escalated))" {
		t.Errorf("card title %q", got)
	}
	if got := digString(card, "header", "template"); got != "red" {
		t.Errorf("card template %q, want red for critical", got)
	}
	md := digString(card, "elements", 0, "text", "content")
	for _, want := range []string{"Over-voltage", `\<at id=all>\</at> look`, "step mail-after-10m"} {
		if !strings.Contains(md, want) {
			t.Errorf("lark_md lacks %q:\n%s", want, md)
		}
	}
	if got := digString(card, "elements", 1, "actions", 0, "url"); got != "https://pulse.example.com/ack/tok-a-1" {
		t.Errorf("first button's url %q, want the first alarm's ack link", got)
	}
	if got := digString(card, "elements", 1, "actions", 1, "url"); got != "https://pulse.example.com/ack/tok-a-2" {
		t.Errorf("second button's url %q", got)
	}
}

func TestFeishuRefusals(t *testing.T) {
	n := testNotification("raised", testAlarm("a-1", "critical", "Over-voltage"))
	secrets := []string{"hook-token", feishuSecret, "fs-wrong"}

	rr := feishuReceiver(t, nil)
	o, _ := NewOutlet(OutletConfig{Type: "feishu", URL: rr.URL + feishuHook, Secret: "fs-wrong"})
	se := wantSendError(t, o.Send(context.Background(), "", n), rr.URL, true, secrets...)
	if !strings.Contains(se.Reason, "19021") {
		t.Fatalf("%v: want Feishu's code", se)
	}

	// Rate limits: code 9499 with HTTP 200, and 11232 with HTTP 400, are both retried.
	for _, answer := range []struct {
		status int
		body   string
	}{{200, `{"code":9499,"msg":"too many request"}`}, {400, `{"code":11232,"msg":"frequency limited"}`}} {
		rr = feishuReceiver(t, func() (int, string) { return answer.status, answer.body })
		o, _ = NewOutlet(OutletConfig{Type: "feishu", URL: rr.URL + feishuHook, Secret: feishuSecret})
		wantSendError(t, o.Send(context.Background(), "", n), rr.URL, false, secrets...)
	}

	// An older hook's answer {"StatusCode":0} is a success.
	rr = feishuReceiver(t, func() (int, string) { return 200, `{"Extra":null,"StatusCode":0,"StatusMessage":"success"}` })
	o, _ = NewOutlet(OutletConfig{Type: "feishu", URL: rr.URL + feishuHook, Secret: feishuSecret})
	if err := o.Send(context.Background(), "", n); err != nil {
		t.Fatalf("StatusCode 0: %v", err)
	}
}
