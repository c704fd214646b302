package loadgen

import (
	"fmt"
	"strings"
	"testing"
)

// frame encodes row-data objects of key id with the given sequence numbers, as the server batches them.
func frame(id string, seqs ...uint64) []byte {
	var objs []string
	for _, s := range seqs {
		objs = append(objs, fmt.Sprintf(`{"type":"rowdata","ts":1,"data":{"businessType":"bench","businessId":%q,"time":1,"data":{"seq":%d,"t":1,"pad":"x"}}}`, id, s))
	}
	return []byte(strings.Join(objs, "\n"))
}

func TestSubscriberCounts(t *testing.T) {
	s := &subscriber{key: 3, id: []byte("k3")}
	st := newStepState(4)
	s.receive(frame("k3", 1), 5) // before any step: ignored
	s.begin(st, 100)
	s.receive(frame("k3", 100, 101, 99), 10)          // 99: an earlier step's
	s.receive(frame("k3", 101, 300), 10)              // 101 again; 300 grows the bitmap
	s.receive(frame("k30", 102), 10)                  // another key
	s.receive([]byte(`{"type":"pong","ts":1}`), 10)   // ignored
	s.receive([]byte(`{"type":"rowdata","x":1}`), 10) // unreadable
	got, last := s.end()
	want := tally{distinct: 3, dups: 1, misrouted: 1, late: 1, mangled: 1}
	if got != want || last != 10 || st.delivered.Load() != 3 || st.hist.Count() != 3 {
		t.Fatalf("got %+v last %d delivered %d, want %+v", got, last, st.delivered.Load(), want)
	}

	// A new step starts from a clean bitmap, also where the last one grew it.
	st2 := newStepState(4)
	s.begin(st2, 400)
	s.receive(frame("k3", 400, 401, 300), 20)
	if got, _ := s.end(); got != (tally{distinct: 2, late: 1}) {
		t.Fatalf("second step: %+v", got)
	}
	for i, w := range s.bits {
		if i > 0 && w != 0 {
			t.Fatalf("bitmap word %d is %x after reset", i, w)
		}
	}
}
