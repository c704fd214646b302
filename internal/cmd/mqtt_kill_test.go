package cmd_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/pulse-monitoring/pulse/internal/service/alarm"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestMQTTAlarmKilledBeforeItsAckIsRedelivered: the server dies (SIGKILL) right after committing
// an alarm that came over MQTT, before its PUBACK could leave (the binary's test hook,
// alarm.KillAfterCommitEnv, on the message's eventId). Restarted with the same clientId and
// store, it receives the alarm again from Mosquitto, marked as a redelivery, and the eventId keeps
// it from counting twice. Had the PUBACK left before the commit, nothing would come back.
func TestMQTTAlarmKilledBeforeItsAckIsRedelivered(t *testing.T) {
	testsvc.RequireMosquitto(t)
	bin := serverBinary(t)
	prefix := fmt.Sprintf("pulsetest-kill-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	clientID := prefix + "-node"
	t.Cleanup(func() { forgetSessions(clientID) })
	extra := fmt.Sprintf(`ingest:
  mqtt:
    broker: %q
    clientId: %q
    topics:
      rowdata: "%s/rowdata/{businessType}/{businessId}"
      alarm: "%s/alarm/{businessType}/{businessId}"
`, testsvc.MosquittoURL, clientID, prefix, prefix)
	dir, addr := t.TempDir(), pulseproc.FreeAddr(t)
	doomed := pulseproc.Start(t, &pulseproc.Process{Bin: bin, Dir: dir, Addr: addr, Extra: extra,
		Env: []string{alarm.KillAfterCommitEnv + "=doomed-event"}})
	waitMQTTReady(t, addr)

	pub := paho.NewClient(paho.NewClientOptions().AddBroker(testsvc.MosquittoURL).SetClientID(prefix + "-pub"))
	if tok := pub.Connect(); !tok.WaitTimeout(poll.Patience) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer pub.Disconnect(50)
	tok := pub.Publish(prefix+"/alarm/pump/p-7", 1, false, `{"alarmId":"pressure","level":"critical","eventId":"doomed-event"}`)
	if !tok.WaitTimeout(poll.Patience) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	err := doomed.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the server ended with %v, want killed by SIGKILL after the commit\n%s", err, doomed.Logs())
	}

	// At level info, the start log names the source, its broker and its subscriptions.
	config := fmt.Sprintf("server:\n  address: %q\n  dumpRouterMap: false\nlogger:\n  level: info\n", addr) + extra
	again := pulseproc.Start(t, &pulseproc.Process{Bin: bin, Dir: dir, Addr: addr, Config: config})
	for _, want := range []string{"ingest from broker: mqtt " + testsvc.MosquittoURL, fmt.Sprintf("alarm %q as %s-alarm", prefix+"/alarm/+/+", clientID)} {
		if !poll.Until(func() bool { return strings.Contains(again.Logs().String(), want) }) {
			t.Fatalf("the start log does not say %q:\n%s", want, again.Logs())
		}
	}
	var redelivered, duplicates float64
	if !poll.Until(func() bool {
		m := scrapeText(t, addr)
		redelivered, duplicates = metricValue(m, `pulse_broker_redelivered_total{source="mqtt"}`), metricValue(m, `pulse_broker_duplicates_total{source="mqtt"}`)
		return duplicates >= 1
	}) {
		t.Fatalf("after the restart: %v redelivered, %v duplicates; want the alarm delivered again and recognised by its eventId", redelivered, duplicates)
	}
	if redelivered != 1 {
		t.Fatalf("redelivered %v; want the broker to mark the one message as delivered before", redelivered)
	}
	resp, err := http.Get("http://" + addr + "/api/v1/alarms?limit=10")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data struct {
			Items []struct {
				AlarmId string `json:"alarmId"`
				Count   int64  `json:"count"`
			} `json:"items"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Data.Items) != 1 || list.Data.Items[0].Count != 1 {
		t.Fatalf("stored %+v (%v); want the one alarm, counted once", list.Data.Items, err)
	}
}

// waitMQTTReady waits until the server's /readyz says its MQTT sessions are subscribed.
func waitMQTTReady(t *testing.T, addr string) {
	t.Helper()
	poll.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var env struct {
			Data struct{ Checks map[string]string }
		}
		return json.NewDecoder(resp.Body).Decode(&env) == nil && env.Data.Checks["mqtt"] == "ok"
	}, "the MQTT source of %s never became ready", addr)
}

func scrapeText(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// metricValue is the value of the series written exactly as series in the text format; 0 when absent.
func metricValue(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			_, _ = fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

// forgetSessions removes the persistent sessions of a node's clientId from the broker.
func forgetSessions(clientID string) {
	for _, kind := range []string{"rowdata", "alarm"} {
		c := paho.NewClient(paho.NewClientOptions().AddBroker(testsvc.MosquittoURL).SetClientID(clientID + "-" + kind).SetCleanSession(true))
		if tok := c.Connect(); tok.WaitTimeout(5*time.Second) && tok.Error() == nil {
			c.Disconnect(50)
		}
	}
}
