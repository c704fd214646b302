package ws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestReplayBoundedByBytes: a history of large events (stored through the store's own write path,
// past ingest's cap on data, as an older history may hold them) is replayed over a real socket in
// frames of at most alarm.ReplayFrameBytes, an event larger than that alone in its frame; every
// event arrives once and in order, with a resume from 0 and with the state of a fresh console.
func TestReplayBoundedByBytes(t *testing.T) {
	n := pulsenode.Start(t, nil)
	budget := alarm.ReplayFrameBytes
	sizes := []int{budget + 50<<10, 100 << 10, 10 << 10, 1 << 10, budget * 3, 120 << 10, 120 << 10, 40, budget - 300}
	var items []model.AlarmBusinessData
	for i := range 30 {
		size := sizes[i%len(sizes)]
		items = append(items, model.AlarmBusinessData{BusinessType: "meter", AlarmId: fmt.Sprintf("big-%d", i), BusinessId: "m", Level: "warning",
			Time: 1, Data: json.RawMessage(`"` + strings.Repeat("x", size) + `"`)})
	}
	if _, err := n.Alarms.Raise(context.Background(), items, ""); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/ws/alarm?since=0", "/ws/alarm"} {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(n.Base, "http")+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, frames := int64(1), 0
		for synced := false; !synced; frames++ {
			_ = ws.SetReadDeadline(time.Now().Add(pulsenode.Patience))
			_, frame, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			objects := bytes.Split(frame, []byte{'\n'})
			if len(frame) > budget && len(objects) > 1 {
				t.Fatalf("%s: frame %d is %d bytes with %d objects: over the budget of %d with more than one event",
					path, frames, len(frame), len(objects), budget)
			}
			for _, raw := range objects {
				var o pulsenode.Object
				if err := json.Unmarshal(raw, &o); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if o.Type == "synced" {
					synced = true
					if o.Seq != int64(len(items)) || want != o.Seq+1 {
						t.Fatalf("%s: synced %d after seq %d, want %d after all", path, o.Seq, want-1, len(items))
					}
					continue
				}
				if o.Type != "alarm" || o.Seq != want {
					t.Fatalf("%s: got %.80s, want the event with seq %d", path, raw, want)
				}
				want++
			}
		}
		t.Logf("%s: %d events in %d frames", path, len(items), frames)
		_ = ws.Close()
	}
}
