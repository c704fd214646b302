package cmd_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestAlarmsSurviveSIGKILL: alarms answered 200 are still there after the server is killed with
// SIGKILL and restarted on the same data folder, and seq goes on from where it was.
func TestAlarmsSurviveSIGKILL(t *testing.T) {
	bin := serverBinary(t)
	dir := t.TempDir()
	addr := pulseproc.FreeAddr(t)
	srv := pulseproc.Start(t, &pulseproc.Process{Bin: bin, Dir: dir, Addr: addr})

	var lastSeq int64
	for i := range 20 {
		body := fmt.Sprintf(`{"items":[{"alarmId":"k-%d","businessType":"meter","businessId":"m"},{"businessType":"meter","businessId":"m"}]}`, i%5)
		lastSeq = postAlarm(t, addr, body)
	}
	srv.Kill() // right after the last 200

	pulseproc.Start(t, srv) // on the same folder and port
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/alarm?since=0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	want := int64(1)
	for {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after seq %d: %v", want-1, err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			var o struct {
				Type string `json:"type"`
				Seq  int64  `json:"seq"`
			}
			_ = json.Unmarshal([]byte(line), &o)
			if o.Type == "synced" {
				if want-1 != lastSeq || o.Seq != lastSeq {
					t.Fatalf("after restart: replayed up to %d, synced %d; the last 200 said seq %d", want-1, o.Seq, lastSeq)
				}
				if next := postAlarm(t, addr, `{"businessType":"meter","businessId":"m"}`); next != lastSeq+1 {
					t.Fatalf("seq after restart: %d, want %d", next, lastSeq+1)
				}
				return
			}
			if o.Seq != want {
				t.Fatalf("after restart: seq %d, want %d", o.Seq, want)
			}
			want++
		}
	}
}

// postAlarm posts body to /api/v1/alarm and returns the last receipt's seq.
func postAlarm(t *testing.T, addr, body string) int64 {
	t.Helper()
	seq, err := tryPostAlarm(addr, body)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func tryPostAlarm(addr, body string) (int64, error) {
	resp, err := http.Post("http://"+addr+"/api/v1/alarm", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Data struct {
			Items []struct{ Seq int64 } `json:"items"`
		} `json:"data"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(raw, &env) != nil || len(env.Data.Items) == 0 {
		return 0, fmt.Errorf("post alarm to %s: %d %s", addr, resp.StatusCode, raw)
	}
	return env.Data.Items[len(env.Data.Items)-1].Seq, nil
}
