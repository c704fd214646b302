package cmd_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestNotificationSurvivesSIGKILL: a notification committed with its alarm is sent after the
// server is killed with SIGKILL and started again, with the same id as the attempts before.
func TestNotificationSurvivesSIGKILL(t *testing.T) {
	var open atomic.Bool
	var mu sync.Mutex
	var ids []string
	var delivered []string // alarm ids delivered
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body struct {
			Data struct {
				Alarms []struct {
					AlarmId string `json:"alarmId"`
				} `json:"alarms"`
			} `json:"data"`
		}
		_ = json.Unmarshal(raw, &body)
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, r.Header.Get("webhook-id"))
		if !open.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		for _, a := range body.Data.Alarms {
			delivered = append(delivered, a.AlarmId)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	notifyCfg := "notify:\n  outlets:\n    - name: hook\n      type: webhook\n      url: \"" + recv.URL + "/hook\"\n" +
		"      secrets: [\"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"]\n" +
		"  routes:\n    - name: all\n      to: [hook]\n"
	srv := pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Extra: notifyCfg})
	postAlarm(t, srv.Addr, `{"alarmId":"killed-1","businessType":"meter","businessId":"m-1","level":"critical"}`)
	srv.Kill() // right after the 200: sent or not, it failed (503)
	open.Store(true)
	pulseproc.Start(t, srv) // the same folder (its store) and port
	poll.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(delivered) > 0
	}, "not delivered after the restart")
	mu.Lock()
	defer mu.Unlock()
	if delivered[0] != "killed-1" {
		t.Errorf("delivered %v", delivered)
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Errorf("ids across the restart: %v", ids)
		}
	}
}
