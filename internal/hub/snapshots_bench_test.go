package hub

import (
	"fmt"
	"testing"
)

// BenchmarkPublishKept is the row-data manager's publish with snapshots on and nobody
// subscribed: the cost the snapshots add to each publish. "same key" rotates one key's ring;
// "same key, history" rotates one key's ring of 900 points (Pulse's default history); "new keys"
// publishes to a new key each time, past a bound of 10,000 keys, so that every publish also
// forgets one.
func BenchmarkPublishKept(b *testing.B) {
	msg := []byte(`{"type":"rowdata","ts":1732250000123,"data":{"seq":1,"pad":"xxxxxxxxxxxx"}}`)
	b.Run("same key", func(b *testing.B) {
		m := NewManager("bench", NewBusinessIndex(), Options{SnapshotSize: 20})
		defer m.Shutdown(b.Context())
		key := Key{Type: "bench", ID: "k"}
		b.ReportAllocs()
		for b.Loop() {
			m.Publish(key, NewMessage(msg))
		}
	})
	b.Run("same key, history", func(b *testing.B) {
		m := NewManager("bench", NewBusinessIndex(), Options{SnapshotSize: 20, HistoryPoints: 900})
		defer m.Shutdown(b.Context())
		key := Key{Type: "bench", ID: "k"}
		b.ReportAllocs()
		for b.Loop() {
			m.Publish(key, NewMessage(msg))
		}
	})
	b.Run("new keys", func(b *testing.B) {
		const bound = 10_000
		keys := make([]Key, 4*bound)
		for i := range keys {
			keys[i] = Key{Type: fmt.Sprintf("type-%d", i%2), ID: fmt.Sprintf("id-%06d", i)}
		}
		m := NewManager("bench", NewBusinessIndex(), keptOptions(20, bound, len(msg)))
		defer m.Shutdown(b.Context())
		for _, k := range keys[:2*bound] { // fill past the bound first
			m.Publish(k, NewMessage(msg))
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			m.Publish(keys[i%len(keys)], NewMessage(msg))
			i++
		}
	})
}

// keptOptions keep size messages per key for about keys keys of one message of msgLen bytes.
func keptOptions(size, keys, msgLen int) Options {
	k := Key{Type: "type-0", ID: "id-000000"}
	return Options{SnapshotSize: size, SnapshotMemory: int64(keys) * (ringCost(k, size) + messageCost(NewMessage(make([]byte, msgLen))))}
}
