package hub

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestCompactKeepsEveryPoint: compacting (at a quiet moment) changes nothing a dashboard sees:
// the same history and snapshot; the bytes counted do not grow; and once newer items have pushed
// out the compacted ones, the count is exactly what it is on a manager never compacted.
func TestCompactKeepsEveryPoint(t *testing.T) {
	opts := Options{SnapshotSize: 3, HistoryPoints: 10, HistoryWindow: time.Hour}
	compacted := NewManager("compacted", NewBusinessIndex(), opts)
	plain := NewManager("plain", NewBusinessIndex(), opts)
	t.Cleanup(func() { _ = compacted.Shutdown(t.Context()); _ = plain.Shutdown(t.Context()) })
	keys := make([]Key, 20)
	for i := range keys {
		keys[i] = Key{"meter", fmt.Sprintf("m-%02d", i)}
	}
	publish := func(from, to int) {
		for n := from; n < to; n++ {
			for _, k := range keys {
				// Encoders leave room at the end of what they return: a kept item costs it too.
				item := func() *Message { return NewMessage(append(make([]byte, 0, 512), rowItem(k, n).Bytes()...)) }
				compacted.Publish(k, item())
				plain.Publish(k, item())
			}
		}
	}
	history := func(m *Manager) [][]Series {
		var all [][]Series
		for _, k := range keys {
			all = append(all, m.History(k, 0, 100))
		}
		return all
	}

	publish(0, 15)
	before, bytes := history(compacted), compacted.Stats().SnapshotBytes
	snapshot := dialSnapshot(t, compacted, keys[7])
	compacted.Compact()
	if got := history(compacted); !reflect.DeepEqual(got, before) {
		t.Fatalf("history after compacting:\n%q\nwant\n%q", got, before)
	}
	if got := dialSnapshot(t, compacted, keys[7]); got != snapshot {
		t.Fatalf("snapshot after compacting %q, want %q", got, snapshot)
	}
	if got := compacted.Stats().SnapshotBytes; got >= bytes {
		t.Fatalf("%d bytes counted after compacting, %d before: the room items had is not given back", got, bytes)
	}

	publish(15, 25) // every compacted item leaves the history
	if got, want := history(compacted), history(plain); !reflect.DeepEqual(got, want) {
		t.Fatalf("history after more items:\n%q\nwant\n%q", got, want)
	}
	if got, want := compacted.Stats().SnapshotBytes, plain.Stats().SnapshotBytes; got != want {
		t.Fatalf("%d bytes counted once the compacted items left, %d never compacted", got, want)
	}
}
