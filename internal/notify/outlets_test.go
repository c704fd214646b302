package notify

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestRobotsSendBareAndConcurrent sends, to every chat outlet, a test notification without
// alarms (what POST /api/v1/notify/test may send) and 20 notifications at once (the dispatcher
// sends lanes in parallel): every receiver accepts every message.
func TestRobotsSendBareAndConcurrent(t *testing.T) {
	receivers := map[string]*robotReceiver{
		"slack":    slackReceiver(t),
		"dingtalk": dingTalkReceiver(t, nil),
		"feishu":   feishuReceiver(t, nil),
		"wecom":    weComReceiver(t, nil),
	}
	urls := map[string]string{
		"slack":    receivers["slack"].URL + slackPath,
		"dingtalk": receivers["dingtalk"].URL + "/robot/send?access_token=" + dingToken,
		"feishu":   receivers["feishu"].URL + feishuHook,
		"wecom":    receivers["wecom"].URL + "/cgi-bin/webhook/send?key=" + weComKey,
	}
	secrets := map[string]string{"dingtalk": dingSecret, "feishu": feishuSecret}
	for typ, rr := range receivers {
		o, err := NewOutlet(OutletConfig{Name: typ, Type: typ, URL: urls[typ], Secret: secrets[typ]})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if err := o.Send(context.Background(), "", Notification{ID: "msg_test", Kind: "test"}); err != nil {
			t.Fatalf("%s: a bare test notification: %v", typ, err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- o.Send(context.Background(), "", testNotification("raised", testAlarm(fmt.Sprintf("a-%d", i), "major", "Over-voltage")))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
		}
		if bodies, fails := rr.got(); len(bodies) != 21 || len(fails) != 0 {
			t.Fatalf("%s: %d accepted, refused: %v", typ, len(bodies), fails)
		}
	}
}

// TestRegistryKnowsTheOutlets checks that NewOutlet builds every type this package registers,
// and that a robot's constructor refuses what its platform cannot take.
func TestRegistryKnowsTheOutlets(t *testing.T) {
	types := OutletTypes()
	for _, want := range []string{"email", "slack", "dingtalk", "feishu", "wecom"} {
		found := false
		for _, typ := range types {
			found = found || typ == want
		}
		if !found {
			t.Errorf("outlet type %s is not registered (registered: %v)", want, types)
		}
	}
	if _, err := NewOutlet(OutletConfig{Type: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send?access_token=x", Secret: "SECx"}); err != nil {
		t.Errorf("a DingTalk outlet with a secret: %v", err)
	}
}
