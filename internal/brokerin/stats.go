package brokerin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

// Stats is what a source counted, read by the metrics at every scrape, and the state of its
// connections, shown by /readyz.
type Stats struct {
	name        string
	rowData     atomic.Int64
	alarms      atomic.Int64
	redelivered atomic.Int64
	duplicates  atomic.Int64
	retries     atomic.Int64
	refusals    map[string]*atomic.Int64 // by reason; every reason is there from the start
	lag         atomic.Int64             // messages waiting in the broker; -1: unknown

	mu       sync.Mutex
	sessions map[string]*session
}

// session is one connection (or subscription) of a source and its state.
type session struct {
	connected bool
	since     time.Time // of the current state
	err       string    // why it is not connected; "" while connecting the first time
}

func newStats(name string) *Stats {
	s := &Stats{name: name, refusals: make(map[string]*atomic.Int64, len(Reasons)), sessions: map[string]*session{}}
	for _, r := range Reasons {
		s.refusals[r] = new(atomic.Int64)
	}
	s.lag.Store(-1)
	return s
}

func (s *Stats) message(k Kind, redelivered bool) {
	if k == Alarm {
		s.alarms.Add(1)
	} else {
		s.rowData.Add(1)
	}
	if redelivered {
		s.redelivered.Add(1)
	}
}

func (s *Stats) refused(reason string) {
	if c, ok := s.refusals[reason]; ok {
		c.Add(1)
	}
}

func (s *Stats) retry()     { s.retries.Add(1) }
func (s *Stats) duplicate() { s.duplicates.Add(1) }

// SetLag records how many messages wait in the broker for this source (JetStream's pending
// count); a negative n: unknown.
func (s *Stats) SetLag(n int64) { s.lag.Store(n) }

// Session declares a connection of the source (MQTT's rowdata and alarm sessions), not connected
// yet: until it connects, the source is not "ok".
func (s *Stats) Session(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[name]; !ok {
		s.sessions[name] = &session{since: time.Now()}
	}
}

// Connected records that the session name is connected (err nil) or why it is not.
func (s *Stats) Connected(name string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sessions[name]
	if !ok {
		st = &session{}
		s.sessions[name] = st
	}
	connected := err == nil
	if connected != st.connected || st.since.IsZero() {
		st.since = time.Now()
	}
	st.connected, st.err = connected, ""
	if err != nil {
		st.err = err.Error()
	}
}

// Snapshot is a source's counters at one moment.
type Snapshot struct {
	Source          string
	RowData, Alarms int64 // messages received, by kind
	Redelivered     int64 // messages the broker said it delivered before
	Duplicates      int64 // messages whose eventId was answered before: nothing published again
	Retries         int64 // messages left unacknowledged because the store or bus failed
	Refused         map[string]int64
	Lag             int64           // messages waiting in the broker; -1: unknown
	Connected       map[string]bool // by session
}

// Snapshot reads the counters.
func (s *Stats) Snapshot() Snapshot {
	out := Snapshot{Source: s.name, RowData: s.rowData.Load(), Alarms: s.alarms.Load(),
		Redelivered: s.redelivered.Load(), Duplicates: s.duplicates.Load(), Retries: s.retries.Load(),
		Refused: make(map[string]int64, len(s.refusals)), Lag: s.lag.Load(), Connected: map[string]bool{}}
	for r, c := range s.refusals {
		out.Refused[r] = c.Load()
	}
	s.mu.Lock()
	for name, st := range s.sessions {
		out.Connected[name] = st.connected
	}
	s.mu.Unlock()
	return out
}

// Ready is nil while every session of the source is connected, else a 503 that says which is not
// and since when (for /readyz's checks).
func (s *Stats) Ready(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var down []string
	for name, st := range s.sessions {
		if st.connected {
			continue
		}
		why := "connecting"
		if st.err != "" {
			why = "disconnected: " + st.err
		}
		down = append(down, fmt.Sprintf("%s %s since %s", name, why, st.since.UTC().Format(time.RFC3339)))
	}
	if len(down) == 0 {
		return nil
	}
	slices.Sort(down)
	return gerror.NewCodef(consts.CodeUnavailable, "%s", strings.Join(down, "; "))
}
