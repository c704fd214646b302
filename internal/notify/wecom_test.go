package notify

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const weComKey = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

// weComReceiver checks a request as WeCom's group robot documentation
// (https://developer.work.weixin.qq.com/document/path/91770) says the robot receives it: POST
// /cgi-bin/webhook/send?key=KEY, msgtype markdown, content at most 4,096 bytes. answer, when
// set, is what it answers a good request.
func weComReceiver(t *testing.T, answer func() (int, string)) *robotReceiver {
	return startRobot(t, func(r *http.Request, body map[string]any) (int, string, string) {
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != weComKey {
			return 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, "url " + r.URL.String()
		}
		content := digString(body, "markdown", "content")
		if digString(body, "msgtype") != "markdown" || content == "" {
			return 200, `{"errcode":40008,"errmsg":"invalid message type"}`, "not a markdown message"
		}
		if len(content) > 4096 {
			return 200, `{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}`, fmt.Sprintf("content of %d bytes", len(content))
		}
		if answer != nil {
			s, a := answer()
			return s, a, ""
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`, ""
	})
}

func TestWeComMarkdown(t *testing.T) {
	rr := weComReceiver(t, nil)
	o, err := NewOutlet(OutletConfig{Name: "wx", Type: "wecom", URL: rr.URL + "/cgi-bin/webhook/send?key=" + weComKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), "", testNotification("acked", testAlarm("a-1", "critical", "Over-voltage"))); err != nil {
		t.Fatalf("send: %v", err)
	}
	// A group of 300 alarms in Chinese stays within 4,096 bytes, cut between alarms.
	var alarms []Alarm
	for i := range 300 {
		alarms = append(alarms, testAlarm(fmt.Sprintf("a-%d", i), "major", "电压过高，请立即检查现场设备"))
	}
	if err := o.Send(context.Background(), "", testNotification("raised", alarms...)); err != nil {
		t.Fatalf("send a large group: %v", err)
	}
	bodies, fails := rr.got()
	if len(fails) != 0 || len(bodies) != 2 {
		t.Fatalf("receiver refused: %v", fails)
	}
	first := digString(bodies[0], "markdown", "content")
	for _, want := range []string{"### [CRITICAL] meter/m-001: Over-voltage (acknowledged)", "[Acknowledge](https://pulse.example.com/ack/tok-a-1)"} {
		if !strings.Contains(first, want) {
			t.Errorf("content lacks %q:\n%s", want, first)
		}
	}
	if big := digString(bodies[1], "markdown", "content"); !strings.Contains(big, "more alarms") || strings.Contains(big, "\uFFFD") {
		t.Errorf("large group's content does not say how many were left out, or cut a character:\n%s", big)
	}
}

func TestWeComRefusals(t *testing.T) {
	n := testNotification("raised", testAlarm("a-1", "critical", "Over-voltage"))
	rr := weComReceiver(t, nil)
	o, _ := NewOutlet(OutletConfig{Type: "wecom", URL: rr.URL + "/cgi-bin/webhook/send?key=wrong-key"})
	se := wantSendError(t, o.Send(context.Background(), "", n), rr.URL, true, "wrong-key", "/cgi-bin")
	if !strings.Contains(se.Reason, "93000") {
		t.Fatalf("%v: want WeCom's errcode", se)
	}

	rr = weComReceiver(t, func() (int, string) { return 200, `{"errcode":45009,"errmsg":"api freq out of limit"}` })
	o, _ = NewOutlet(OutletConfig{Type: "wecom", URL: rr.URL + "/cgi-bin/webhook/send?key=" + weComKey})
	wantSendError(t, o.Send(context.Background(), "", n), rr.URL, false, weComKey)

	for name, cfg := range map[string]OutletConfig{
		"no key":   {Type: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"},
		"a secret": {Type: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", Secret: "s"},
		"no url":   {Type: "wecom"},
		"ftp url":  {Type: "wecom", URL: "ftp://qyapi.weixin.qq.com/?key=k"},
	} {
		if _, err := NewOutlet(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A platform that repeats the key in its answer: the record shows it cut out.
func TestRobotAnswerRedactsTheURL(t *testing.T) {
	rr := weComReceiver(t, func() (int, string) {
		return 200, `{"errcode":93000,"errmsg":"invalid webhook url, key ` + weComKey + ` unknown"}`
	})
	o, _ := NewOutlet(OutletConfig{Type: "wecom", URL: rr.URL + "/cgi-bin/webhook/send?key=" + weComKey})
	se := wantSendError(t, o.Send(context.Background(), "", testNotification("raised")), rr.URL, true, weComKey)
	if !strings.Contains(se.Reason, "invalid webhook url, key … unknown") {
		t.Fatalf("reason %q", se.Reason)
	}
}
