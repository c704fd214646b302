package alarm

import (
	"bytes"
	"context"
	"time"

	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// ReplayFrameBytes is the most bytes of events one replay frame (and one read of the store)
// holds, whatever the history holds, so a replaying console costs the server little memory. An
// event larger than this (stored before ingest capped data) gets a frame of its own.
const ReplayFrameBytes = 256 << 10

// Replay returns what a console gets before live events (see hub.Replay):
//
//   - resume (since given): every event with seq > since, in order;
//   - otherwise: the latest event of every alarm that is not cleared, in seq order;
//
// of the alarms scope covers (read by their business columns: a narrow scope reads only its own
// events), then {"type":"synced","seq":S}, S being the last seq the replay
// covers (whether or not the console may see that event). A resume from before what
// retention has purged cannot be complete, and one from ahead of the latest seq (the store was
// replaced, or the console comes from another cluster) would wait for seqs that mean something
// else here: either way the console gets {"type":"reset"} and the full state instead, so it never
// misses an alarm.
func (s *Service) Replay(since int64, resume bool, scope model.Scope) hub.Replay {
	return func(send func([]byte) error) (int64, error) {
		s.replays.Add(1)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		upTo, purged, err := s.store.position(ctx)
		cancel()
		if err != nil {
			return 0, err
		}
		var pages *eventPages
		switch {
		case resume && since >= purged && since <= upTo:
			pages = s.store.events(since, upTo, scope)
		case resume: // purged since, or ahead of this store: the console's seqs mean nothing here
			if err := send(resetMessage); err != nil {
				return 0, err
			}
			fallthrough
		default:
			pages = s.store.openAlarms(0, upTo, scope)
		}
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			events, err := pages.next(ctx)
			cancel()
			if err != nil {
				return 0, err
			}
			if len(events) == 0 {
				break
			}
			if err := send(joinMessages(events)); err != nil {
				return 0, err
			}
			s.replayed.Add(int64(len(events)))
		}
		synced, _ := model.Encode(model.SyncedMessage{Type: model.TypeSynced, Seq: upTo})
		return upTo, send(synced)
	}
}

var resetMessage = []byte(`{"type":"reset"}`)

// joinMessages puts events' messages into one WebSocket frame, newline-separated, as live batches are.
func joinMessages(events []storedEvent) []byte {
	var b bytes.Buffer
	for i, e := range events {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.Write(e.Message)
	}
	return b.Bytes()
}
