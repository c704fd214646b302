package hub

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// publishAt publishes to m a row-data-like object for key k, numbered n, received at ts.
func publishAt(m *Manager, k Key, n int, ts int64) {
	m.PublishAt(k, NewMessage(fmt.Appendf(nil, `{"type":"rowdata","ts":%d,"data":{"businessType":%q,"businessId":%q,"n":%d}}`, ts, k.Type, k.ID, n)), ts)
}

// numbers are the "n" of each item of a series, in its order.
func numbers(s Series) string {
	var out []string
	for _, item := range s.Items {
		_, n, _ := strings.Cut(string(item), `"n":`)
		out = append(out, strings.TrimSuffix(n, "}}"))
	}
	return strings.Join(out, " ")
}

// TestHistoryKeepsTheWindow: the history holds what was received within the window, by the
// received time the item carries, oldest first, and since cuts it; what is older goes, except
// the snapshot, which a new dashboard still gets.
func TestHistoryKeepsTheWindow(t *testing.T) {
	k := Key{"pump", "p-1"}
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 2, HistoryPoints: 100, HistoryWindow: time.Minute})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	now := time.Now().UnixMilli()
	for n := range 5 { // ten minutes ago: out of the window
		publishAt(m, k, n, now-10*60_000+int64(n))
	}
	if got := m.History(k, 0, 1000); len(got) != 1 || got[0].Key != k || len(got[0].Items) != 0 {
		t.Fatalf("history of items older than the window: %+v, want one empty series", got)
	}
	if got := m.Stats().HistoryPoints; got != 2 {
		t.Fatalf("%d points kept, want the snapshot's 2 only", got)
	}
	if got := string(m.snapshots.take(k).Bytes()); !strings.Contains(got, `"n":3`) || !strings.Contains(got, `"n":4`) {
		t.Fatalf("snapshot %q, want items 3 and 4: the snapshot outlives the window", got)
	}
	for n := 5; n < 9; n++ {
		publishAt(m, k, n, now+int64(n))
	}
	got := m.History(k, 0, 1000)
	if len(got) != 1 || numbers(got[0]) != "5 6 7 8" {
		t.Fatalf("history %+v, want items 5 6 7 8 oldest first", got)
	}
	if got := m.History(k, now+7, 1000); numbers(got[0]) != "7 8" {
		t.Fatalf("history since item 7's ts: %s, want 7 8", numbers(got[0]))
	}
	if got := m.Stats().HistoryPoints; got != 4 {
		t.Fatalf("%d points kept, want 4: the old ones went as the new came", got)
	}
}

// TestHistoryKeepsAtMostItsPoints: a key keeps its latest HistoryPoints items.
func TestHistoryKeepsAtMostItsPoints(t *testing.T) {
	k := Key{"pump", "p-1"}
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 3, HistoryPoints: 10})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n := range 25 {
		m.Publish(k, rowItem(k, n))
	}
	if got := numbers(m.History(k, 0, 1000)[0]); got != "15 16 17 18 19 20 21 22 23 24" {
		t.Fatalf("history %s, want the latest 10 items, 15 to 24", got)
	}
	if got := strings.Count(string(m.snapshots.take(k).Bytes()), "\n") + 1; got != 3 {
		t.Fatalf("snapshot of %d items, want 3", got)
	}
}

// TestHistoryOfAType: (T, *) answers one series per id of T that has items, the most recently
// published first, at most limit; other types are not in it.
func TestHistoryOfAType(t *testing.T) {
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 1, HistoryPoints: 10})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n, id := range []string{"m-1", "m-2", "m-1", "m-3"} {
		m.Publish(Key{"meter", id}, rowItem(Key{"meter", id}, n))
	}
	m.Publish(Key{"pump", "p-1"}, rowItem(Key{"pump", "p-1"}, 9))
	var got []string
	for _, s := range m.History(Key{"meter", "*"}, 0, 2) {
		got = append(got, s.ID+":"+numbers(s))
	}
	if strings.Join(got, ", ") != "m-3:3, m-1:0 2" {
		t.Fatalf("(meter, *) history at most 2 series: %v, want m-3:3, m-1:0 2", got)
	}
	if got := m.History(Key{"valve", "*"}, 0, 10); len(got) != 0 {
		t.Fatalf("history of a type nothing was published to: %+v, want none", got)
	}
}

// TestFloodTrimsTheFloodedTypesHistory is the memory bound shared by snapshots and history: a
// type (meter) flooded with new ids past the bound gives up its own keys' history, oldest first,
// before it forgets any key; another type (pump), within its share, keeps its whole history. The
// memory never goes over its bound.
func TestFloodTrimsTheFloodedTypesHistory(t *testing.T) {
	const size, points = 2, 50
	pump := Key{"pump", "p-7"}
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: size, HistoryPoints: points, SnapshotMemory: 400_000})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n := range points {
		m.Publish(pump, rowItem(pump, n))
	}
	trimmedFirst := false
	for n := range 2_000 {
		k := Key{"meter", fmt.Sprintf("ev-%05d", n)}
		for i := range 10 {
			m.Publish(k, rowItem(k, i))
		}
		s := m.Stats()
		if s.SnapshotBytes > s.SnapshotLimit {
			t.Fatalf("after %d meters the row data holds %d bytes, over its bound of %d", n+1, s.SnapshotBytes, s.SnapshotLimit)
		}
		if s.SnapshotEvictions == 1 {
			trimmedFirst = s.HistoryTrims > 0
		}
	}
	s := m.Stats()
	if s.SnapshotEvictions == 0 || !trimmedFirst {
		t.Fatalf("stats %+v: want meter keys evicted, and history trimmed before the first", s)
	}
	if got := m.History(pump, 0, 1); len(got[0].Items) != points {
		t.Fatalf("pump/p-7 keeps %d points after the flood, want its %d", len(got[0].Items), points)
	}
	// The meters still held: the latest keep their whole history, the oldest held only their
	// snapshot.
	meters := m.History(Key{"meter", "*"}, 0, 100_000)
	if newest := meters[0]; newest.ID != "ev-01999" || len(newest.Items) != 10 {
		t.Fatalf("newest meter %s holds %d points, want ev-01999 with its 10", newest.ID, len(newest.Items))
	}
	if oldest := meters[len(meters)-1]; len(oldest.Items) != size {
		t.Fatalf("oldest meter held, %s, has %d points, want its snapshot's %d: its history went first", oldest.ID, len(oldest.Items), size)
	}
}

// TestHistoryCostIsHonest is TestSnapshotCostIsHonest with history: rings that grew to hold it.
func TestHistoryCostIsHonest(t *testing.T) {
	const keys = 5_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := newSnapshots(Options{SnapshotSize: 20, HistoryPoints: 900, HistoryWindow: time.Hour, SnapshotMemory: 1 << 40})
	for n := range keys {
		k := Key{fmt.Sprintf("type-%d", n%3), fmt.Sprintf("id-%06d", n)}
		for i := range 50 {
			s.record(k, rowItem(k, i), 0)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	counted := s.stats().bytes
	runtime.KeepAlive(s)
	t.Logf("50 points a key, %d keys: heap %d B/key, counted %d B/key", keys, used/keys, counted/keys)
	if counted < used || counted > used*5/4 {
		t.Errorf("counted %d bytes for a heap of %d: want at least the heap and at most a quarter more", counted, used)
	}
}

// TestHistoryWithoutSnapshots: with SnapshotSize 0 the history is kept, and a new subscriber, of
// a key or of its type, starts with live data as before.
func TestHistoryWithoutSnapshots(t *testing.T) {
	k := Key{"pump", "p-1"}
	m := NewManager("test", NewBusinessIndex(), Options{HistoryPoints: 10})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	for n := range 3 {
		m.Publish(k, rowItem(k, n))
	}
	if got := numbers(m.History(k, 0, 1)[0]); got != "0 1 2" {
		t.Fatalf("history %s, want 0 1 2", got)
	}
	for _, sub := range []Key{k, {"pump", "*"}} {
		if got := dialSnapshot(t, m, sub); got != "" {
			t.Fatalf("a new subscriber of %v got %q, want no snapshot", sub, got)
		}
	}
}

// TestQuietKeyHistoryExpires: a key that stops publishing loses its history once the window has
// passed, without a publish of its own, and gives its memory back; its snapshot stays, and a key
// still publishing keeps what is within the window.
func TestQuietKeyHistoryExpires(t *testing.T) {
	quiet, busy := Key{"pump", "p-1"}, Key{"pump", "p-2"}
	m := NewManager("test", NewBusinessIndex(), Options{SnapshotSize: 2, HistoryPoints: 500, HistoryWindow: time.Minute})
	t.Cleanup(func() { _ = m.Shutdown(t.Context()) })
	now := time.Now().UnixMilli()
	for n := range 400 {
		publishAt(m, quiet, n, now-50_000+int64(n))
		publishAt(m, busy, n, now-50_000+int64(n))
	}
	full := m.Stats()
	later := now + 30_000 // the quiet key's items are now 80 s old, the window 60 s
	for n := 400; n < 410; n++ {
		publishAt(m, busy, n, later+int64(n))
	}
	m.snapshots.expire(later + 410)

	if r := m.snapshots.byKey[quiet]; r.n != 2 {
		t.Fatalf("quiet key keeps %d points after the window, want its snapshot's 2", r.n)
	}
	if got := string(m.snapshots.take(quiet).Bytes()); !strings.Contains(got, `"n":398`) || !strings.Contains(got, `"n":399`) {
		t.Fatalf("quiet key's snapshot %q, want items 398 and 399", got)
	}
	if got := m.History(busy, 0, 1000); len(got[0].Items) != 10 || numbers(got[0])[:3] != "400" {
		t.Fatalf("busy key's history: %d items (%.20s…), want its 10 within the window", len(got[0].Items), numbers(got[0]))
	}
	after := m.Stats()
	if after.HistoryPoints != 2+10 {
		t.Fatalf("%d points kept, want 12 (the quiet key's snapshot and the busy key's window)", after.HistoryPoints)
	}
	if r := m.snapshots.byKey[quiet]; len(r.slots) > m.snapshots.firstSlots() {
		t.Fatalf("quiet key's ring keeps %d slots for %d points, want at most %d", len(r.slots), r.n, m.snapshots.firstSlots())
	}
	if after.SnapshotBytes*10 > full.SnapshotBytes {
		t.Fatalf("%d bytes held after expiry, %d before: want a tenth or less", after.SnapshotBytes, full.SnapshotBytes)
	}
}
