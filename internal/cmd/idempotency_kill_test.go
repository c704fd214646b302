package cmd_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/service/alarm"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// TestRetryAfterKillIsReplayed: the server dies (SIGKILL) between the commit of an alarm and its
// answer, so the ingest service never hears whether it was stored. After a restart on the same
// database, the retry with the same Idempotency-Key gets the first answer (the id the server chose
// and the seq it committed) with Idempotent-Replayed: true; the alarm's count is 1; a console
// resuming from before it sees exactly one event. The death is the binary's test hook
// (alarm.KillAfterCommitEnv): it kills the process right after the commit that stored the key,
// before the bus or the client hear of it. On SQLite, MariaDB and PostgreSQL.
func TestRetryAfterKillIsReplayed(t *testing.T) {
	bin := serverBinary(t)
	run := func(t *testing.T, extra string) {
		dir, addr := t.TempDir(), pulseproc.FreeAddr(t)
		doomed := pulseproc.Start(t, &pulseproc.Process{Bin: bin, Dir: dir, Addr: addr, Extra: extra,
			Env: []string{alarm.KillAfterCommitEnv + "=doomed"}})
		if seq := postAlarm(t, addr, `{"alarmId":"before","businessType":"meter","businessId":"m"}`); seq != 1 {
			t.Fatalf("first alarm: seq %d, want 1", seq)
		}
		body := `{"businessType":"pump","businessId":"p-7","level":"critical","title":"pressure"}` // the server picks the id
		if status, _, _, err := postKeyed(addr, "doomed", body); err == nil {
			t.Fatalf("the request the server dies on was answered %d", status)
		}
		err := doomed.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("the server ended with %v, want killed by SIGKILL\n%s", err, doomed.Logs())
		}

		pulseproc.Start(t, &pulseproc.Process{Bin: bin, Dir: dir, Addr: addr, Extra: extra})
		status, res, replayed, err := postKeyed(addr, "doomed", body)
		if err != nil || status != http.StatusOK || replayed != "true" || len(res.Items) != 1 || res.Items[0].Seq != 2 ||
			!strings.HasPrefix(res.Items[0].AlarmId, "a-") {
			t.Fatalf("retry after the restart: %d %+v, Idempotent-Replayed %q, %v; want 200 with the first answer (seq 2), replayed",
				status, res, replayed, err)
		}
		id := res.Items[0].AlarmId

		events, synced := resume(t, addr, 1)
		if len(events) != 1 || events[0].Seq != 2 || events[0].Event != "raised" || events[0].Data.AlarmId != id ||
			events[0].Data.Count != 1 || synced != 2 {
			t.Fatalf("console resuming from seq 1: %+v, synced %d; want one event, seq 2, %s raised with count 1, synced 2", events, synced, id)
		}
		if seq := postAlarm(t, addr, `{"alarmId":"after","businessType":"meter","businessId":"m"}`); seq != 3 {
			t.Fatalf("the next alarm: seq %d, want 3 (the retry made no event)", seq)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	testsvc.EachDatabase(t, "pulse_cmd_idem", func(t *testing.T, link string) {
		run(t, fmt.Sprintf("database:\n  default:\n    link: %q\n", link))
	})
}

// ingestAnswer is the data of an alarm ingest answer.
type ingestAnswer struct {
	Items []struct {
		AlarmId string `json:"alarmId"`
		Seq     int64  `json:"seq"`
	} `json:"items"`
}

// postKeyed posts body to /api/v1/alarm with the Idempotency-Key key, on a connection of its own,
// and returns the status, the answer's data and its Idempotent-Replayed header.
func postKeyed(addr, key, body string) (int, ingestAnswer, string, error) {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/alarm", strings.NewReader(body))
	if err != nil {
		return 0, ingestAnswer{}, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: patience}
	resp, err := client.Do(req)
	if err != nil {
		return 0, ingestAnswer{}, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, ingestAnswer{}, "", err
	}
	var env struct{ Data ingestAnswer }
	if err := json.Unmarshal(raw, &env); err != nil {
		return resp.StatusCode, ingestAnswer{}, "", fmt.Errorf("%s: %v", raw, err)
	}
	return resp.StatusCode, env.Data, resp.Header.Get("Idempotent-Replayed"), nil
}

// resumedEvent is an alarm event a console replays.
type resumedEvent struct {
	Type  string `json:"type"`
	Seq   int64  `json:"seq"`
	Event string `json:"event"`
	Data  struct {
		AlarmId string `json:"alarmId"`
		Count   int64  `json:"count"`
	} `json:"data"`
}

// resume opens a console with since and returns the events it replays and the seq of its synced
// object.
func resume(t *testing.T, addr string, since int64) ([]resumedEvent, int64) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://%s/ws/alarm?since=%d", addr, since), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var events []resumedEvent
	for {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after %d events: %v", len(events), err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			var e resumedEvent
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if e.Type == "synced" {
				return events, e.Seq
			}
			events = append(events, e)
		}
	}
}
