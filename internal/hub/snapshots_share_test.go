package hub

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// dialSnapshot opens a subscriber of key on m over a real socket and returns its first frame: the
// snapshot, or "" when none comes before a marker published to key after it attached.
func dialSnapshot(t *testing.T, m *Manager, key Key) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ws, err := Upgrade(&up, w, r); err == nil {
			m.Attach(ws, key, "u", AttachOptions{})
		}
	}))
	t.Cleanup(srv.Close)
	before := m.Len()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	for deadline := time.Now().Add(patience); m.Len() == before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscriber was never attached")
		}
	}
	// A marker to the whole type, which no snapshot keeps: it comes first unless Attach queued a
	// snapshot before it.
	_ = ws.SetReadDeadline(time.Now().Add(patience))
	m.Publish(Key{Type: key.Type}, NewMessage([]byte(`{"marker":true}`)))
	_, got, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	// The writer may batch the marker into the snapshot's frame: what comes before it is the
	// snapshot.
	snapshot, _, _ := strings.Cut(string(got), `{"marker":true}`)
	return strings.TrimSuffix(snapshot, "\n")
}

// rowItem is a row-data-like object of about 100 bytes for key k, numbered n.
func rowItem(k Key, n int) *Message {
	return NewMessage(fmt.Appendf(nil, `{"type":"rowdata","ts":1764600000000,"data":{"businessType":%q,"businessId":%q,"n":%d}}`, k.Type, k.ID, n))
}

// TestFloodOfOneTypeSparesAnother is issue 21's item 3 inside the engine: a business (pump/p-7)
// has its snapshot; another type (meter) is flooded with 10,000 new ids, 20 times what the
// memory holds. The memory never goes over its bound; pump/p-7 is still listed and a new
// dashboard of it gets its whole snapshot; meter keeps what its share holds, its most recently
// published ids.
func TestFloodOfOneTypeSparesAnother(t *testing.T) {
	const size = 5
	pump := Key{"pump", "p-7"}
	perMeter := ringCost(Key{"meter", "ev-00000"}, size) + messageCost(rowItem(Key{"meter", "ev-00000"}, 0))
	limit := 500 * perMeter // room for about 500 meters, while the flood is 10,000
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: size, SnapshotMemory: limit})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n := range size {
		m.Publish(pump, rowItem(pump, n))
	}
	for n := range 10_000 {
		m.Publish(Key{"meter", fmt.Sprintf("ev-%05d", n)}, rowItem(Key{"meter", fmt.Sprintf("ev-%05d", n)}, n))
		if held := m.Stats().SnapshotBytes; held > limit {
			t.Fatalf("after %d meters the snapshots hold %d bytes, over their bound of %d", n+1, held, limit)
		}
	}

	s := m.Stats()
	if s.SnapshotTypes != 2 || s.SnapshotEvictions == 0 {
		t.Fatalf("stats %+v: want 2 types held and keys evicted", s)
	}
	if got := m.Recent(1, []Key{{"pump", "*"}}); len(got) != 1 || got[0].Key != pump {
		t.Fatalf("businesses of type pump after the flood: %v, want pump/p-7", got)
	}
	want := ""
	for n := range size {
		if n > 0 {
			want += "\n"
		}
		want += `{"snapshot":true,` + string(rowItem(pump, n).Bytes()[1:])
	}
	if got := dialSnapshot(t, m, pump); got != want {
		t.Fatalf("a new pump/p-7 dashboard got %q, want its snapshot %q", got, want)
	}

	meters := m.Recent(100_000, []Key{{"meter", "*"}})
	if len(meters) < 400 || len(meters) > 500 {
		t.Fatalf("meter holds %d ids, want what its share of %d bytes holds (about 500 less pump/p-7)", len(meters), limit)
	}
	for i, r := range meters { // the latest ones, newest first
		if want := fmt.Sprintf("ev-%05d", 9_999-i); r.ID != want {
			t.Fatalf("meter ids held: [%d] = %s, want %s: the least recently published go first", i, r.ID, want)
		}
	}
}

// TestEvictionTakesTheLeastRecentlyPublishedOfTheType: within the type that gives up memory, the
// key published to longest ago goes first, however early it was first published; and a type-wide
// subscriber's snapshot holds the ids kept, in the order of their latest publish.
func TestEvictionTakesTheLeastRecentlyPublishedOfTheType(t *testing.T) {
	k := func(id string) Key { return Key{"meter", id} }
	perKey := ringCost(k("m-0"), 1) + messageCost(rowItem(k("m-0"), 0))
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 1, SnapshotMemory: 4 * perKey})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n, id := range []string{"m-0", "m-1", "m-2", "m-3", "m-0", "m-4", "m-5"} {
		m.Publish(k(id), rowItem(k(id), n))
	}
	var ids []string
	for _, r := range m.Recent(10, nil) {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, " "); got != "m-5 m-4 m-0 m-3" {
		t.Fatalf("held %s, want m-5 m-4 m-0 m-3: m-1 and m-2 were published to longest ago", got)
	}
	want := []string{`"n":3`, `"n":4`, `"n":5`, `"n":6`} // m-3, m-0, m-4, m-5
	got := strings.Split(dialSnapshot(t, m, k("*")), "\n")
	if len(got) != len(want) {
		t.Fatalf("(meter, *) snapshot %q, want the latest of m-3, m-0, m-4, m-5", got)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Fatalf("(meter, *) snapshot [%d] = %s, want the item with %s", i, got[i], want[i])
		}
	}
}

// TestHeaviestTypeGivesUpItsExcess: a type that held more than its share when a second type
// arrived gives up its least recently published keys until both fit, and the newcomer, within its
// share, keeps everything; a type whose last key goes no longer divides the memory.
func TestHeaviestTypeGivesUpItsExcess(t *testing.T) {
	k := func(typ string, n int) Key { return Key{typ, fmt.Sprintf("id-%03d", n)} }
	perKey := ringCost(k("a", 0), 1) + messageCost(rowItem(k("a", 0), 0))
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 1, SnapshotMemory: 10 * perKey})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n := range 10 {
		m.Publish(k("a", n), rowItem(k("a", n), n))
	}
	for n := range 3 {
		m.Publish(k("b", n), rowItem(k("b", n), n))
	}
	count := func(typ string) int { return len(m.Recent(100, []Key{{typ, "*"}})) }
	if a, b := count("a"), count("b"); a != 7 || b != 3 {
		t.Fatalf("a holds %d keys and b %d, want 7 and 3: a, over its half, gives up its oldest", a, b)
	}
	if held := m.Stats().SnapshotBytes; held != 10*perKey {
		t.Fatalf("the snapshots hold %d bytes, want %d (ten keys)", held, 10*perKey)
	}
}

// TestSnapshotCostIsHonest measures the heap that 20,000 keys' snapshots hold (the messages, the
// keys' strings, the rings and the map) and checks that what the snapshots count is never less,
// and not much more: snapshot_cost.go's constants are what an operator plans memory with.
func TestSnapshotCostIsHonest(t *testing.T) {
	for _, size := range []int{1, 20} {
		for _, keys := range []int{20_000, 30_000} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s := newSnapshots(Options{SnapshotSize: size, SnapshotMemory: 1 << 40})
			for n := range keys {
				k := Key{fmt.Sprintf("type-%d", n%3), fmt.Sprintf("id-%06d", n)}
				for i := range min(size, 3) {
					s.record(k, rowItem(k, i), 0)
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			used := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			counted := s.stats().bytes
			runtime.KeepAlive(s)
			t.Logf("snapshotSize %d, %d keys: heap %d B/key, counted %d B/key", size, keys, used/int64(keys), counted/int64(keys))
			if counted < used || counted > used*5/4 {
				t.Errorf("snapshotSize %d, %d keys: counted %d bytes for a heap of %d: want at least the heap and at most a quarter more",
					size, keys, counted, used)
			}
		}
	}
}

// TestTypeWideSnapshotHoldsTheLatestIds: a (T, *) snapshot of a type with more ids than one frame
// should carry holds the latest item of its 10,000 most recently published ids, oldest first.
func TestTypeWideSnapshotHoldsTheLatestIds(t *testing.T) {
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 1})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n := range typeWideSnapshot + 50 {
		k := Key{"meter", fmt.Sprintf("m-%05d", n)}
		m.Publish(k, rowItem(k, n))
	}
	got := strings.Split(string(m.snapshots.take(Key{"meter", "*"}).Bytes()), "\n")
	if len(got) != typeWideSnapshot || !strings.Contains(got[0], `"m-00050"`) || !strings.Contains(got[len(got)-1], `"m-10049"`) {
		t.Fatalf("(meter, *) snapshot of %d items from %.60s to %.60s, want 10,000 from m-00050 to m-10049", len(got), got[0], got[len(got)-1])
	}
}
