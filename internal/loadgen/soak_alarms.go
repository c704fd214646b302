package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var (
	alarmPrefix  = []byte(`{"type":"alarm"`)
	syncedPrefix = []byte(`{"type":"synced"`)
	resetPrefix  = []byte(`{"type":"reset"`)
	seqKey       = []byte(`"seq":`)
)

// frameSeq is the seq of an alarm or synced object: its first "seq" field, which the server writes
// right after the type (the alarm's own data may hold another, later).
func frameSeq(obj []byte) (int64, bool) {
	i := bytes.Index(obj, seqKey)
	if i < 0 {
		return 0, false
	}
	v, n := parseUint(obj[i+len(seqKey):])
	return int64(v), n > 0
}

// errReset: the server could not continue a console's history from its since.
var errReset = errors.New("the server answered since with a reset")

// follow reads a console's objects into check: before synced (without since: the current state,
// which has gaps by design) nothing is checked unless checked is true; synced must be reached by
// the history, which is checked from since. It returns when done returns true after synced, or
// the connection fails.
func (s *soak) follow(c *wsConn, check *seqCheck, checked bool, afterSynced func() bool) error {
	synced := false
	return readObjects(c, func(obj []byte) error {
		switch {
		case bytes.HasPrefix(obj, alarmPrefix):
			seq, ok := frameSeq(obj)
			if !ok {
				s.count.fail(&s.count.misrouted, fmt.Sprintf("console received %.200s", obj))
				return nil
			}
			if synced || checked {
				check.see(seq, &s.count, &s.count.alarmDeliveries)
			}
		case bytes.HasPrefix(obj, syncedPrefix):
			seq, ok := frameSeq(obj)
			if !ok {
				return fmt.Errorf("unreadable %s", obj)
			}
			if checked {
				check.upTo(seq, &s.count) // the history must have reached it
			} else {
				check.last.Store(seq)
			}
			synced = true
			if afterSynced() {
				return errStop
			}
		case bytes.HasPrefix(obj, resetPrefix):
			return errReset
		}
		return nil
	})
}

// consolePath is /ws/alarm, with since when it is not negative.
func consolePath(since int64) string {
	if since < 0 {
		return "/ws/alarm"
	}
	return "/ws/alarm?since=" + strconv.FormatInt(since, 10)
}

// console is one alarm console held for the whole soak: it starts with the current state, then
// every Resume closes and resumes with since = the last seq it has; from its first synced on,
// every event must follow the last.
type console struct {
	check *seqCheck
}

// consoles are the soak's held consoles.
type consoles struct {
	list  []*console
	stopC chan struct{}
	wg    sync.WaitGroup
	final int64 // the last seq, once settled (-1: unknown)
}

func (cs *consoles) stop() {
	close(cs.stopC)
	cs.wg.Wait()
}

// startConsoles starts the held consoles; their first resumes are spread over one Resume.
func (s *soak) startConsoles(ctx context.Context) *consoles {
	cs := &consoles{stopC: make(chan struct{})}
	for i := range s.cfg.Consoles {
		c := &console{check: newSeqCheck(-1)}
		cs.list = append(cs.list, c)
		first := s.cfg.Resume * time.Duration(i+1) / time.Duration(s.cfg.Consoles)
		cs.wg.Add(1)
		go func() { defer cs.wg.Done(); s.runConsole(ctx, cs.stopC, c, first) }()
	}
	return cs
}

// runConsole holds console c until stop: connected, it waits for its next resume and then closes
// and resumes with since. A connection that fails otherwise is counted, and opened again after a
// second.
func (s *soak) runConsole(ctx context.Context, stop <-chan struct{}, c *console, wait time.Duration) {
	started := false
	for {
		since := int64(-1)
		if started {
			since = c.check.last.Load()
		}
		conn, err := s.dial(ctx, consolePath(since))
		if err != nil {
			if s.stopping.Load() || ctx.Err() != nil {
				return
			}
			s.count.fail(&s.count.connErrors, "console: "+err.Error())
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
				continue
			}
		}
		var resuming atomic.Bool
		ended := make(chan struct{})
		go func(wait time.Duration) {
			select {
			case <-stop:
			case <-time.After(wait):
				resuming.Store(true)
			case <-ended:
				return
			}
			conn.close(time.Now().Add(time.Second))
		}(wait)
		err = s.follow(conn, c.check, started, func() bool { return false })
		close(ended)
		conn.close(time.Now().Add(time.Second))
		started, wait = true, s.cfg.Resume
		switch {
		case s.stopping.Load() || ctx.Err() != nil:
			return
		case resuming.Load():
			s.count.resumes.Add(1)
		default:
			s.count.fail(&s.count.connErrors, fmt.Sprintf("console dropped: %v", err))
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
		}
	}
}

// postAlarms posts cfg.AlarmRate alarms per second until ctx ends, every tick what is due in one
// request, drawn from cfg.AlarmIDs ids of the run's own with random levels; once a second it
// acknowledges the first alarm of the request it just posted and clears its last (both raised a
// moment ago, so neither is refused).
func (s *soak) postAlarms(ctx context.Context) {
	if s.cfg.AlarmRate <= 0 {
		return
	}
	base := "http://" + s.cfg.Addrs[0] + "/api/v1/"
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	// The first pass raises every id once, in a random order, so that the run's alarms are all
	// stored within the warm-up (2,000 ids at 50/s: 40 s). Drawn at random from the start, a fifth
	// of them were still new after a minute and a hundredth after three, and the drift counted the
	// store and the node growing to hold them (the Go heap's arenas +1.5 MB from minute 1 to 2.5).
	first := rng.Perm(s.cfg.AlarmIDs)
	var body []byte
	var sent int64
	start, lastAck := time.Now(), time.Now()
	ticker := time.NewTicker(soakTick)
	defer ticker.Stop()
	type alarmKey struct{ business, id string }
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		due := int64(s.cfg.AlarmRate * time.Since(start).Seconds())
		if due <= sent {
			continue
		}
		n := min(due-sent, maxBatch)
		sent += n
		keys := make([]alarmKey, n)
		body = append(body[:0], `{"items":[`...)
		for i := range n {
			id := rng.IntN(s.cfg.AlarmIDs)
			if k := sent - n + i; k < int64(len(first)) {
				id = first[k]
			}
			keys[i] = alarmKey{s.businesses[id%s.cfg.Businesses], "soak-" + s.tag + "-" + strconv.Itoa(id)}
			if i > 0 {
				body = append(body, ',')
			}
			body = fmt.Appendf(body, `{"alarmId":%q,"businessType":%q,"businessId":%q,"level":%q,"title":"soak alarm","content":"raised by pulse bench --soak","data":{"n":%d}}`,
				keys[i].id, soakBusinessType, keys[i].business, alarmLevels[rng.IntN(len(alarmLevels))], sent-n+i)
		}
		body = append(body, `]}`...)
		var answer []byte
		if err := s.post(ctx, base+"alarm", s.cfg.IngestKey, body, &answer); err != nil {
			s.count.fail(&s.count.httpErrors, err.Error())
			continue
		}
		s.count.alarms.Add(n)
		var receipt struct {
			Data struct {
				Items []struct {
					Seq int64 `json:"seq"`
				} `json:"items"`
			} `json:"data"`
		}
		if json.Unmarshal(answer, &receipt) == nil {
			for _, it := range receipt.Data.Items {
				if it.Seq > s.lastSeq.Load() {
					s.lastSeq.Store(it.Seq)
				}
			}
		}
		if time.Since(lastAck) < time.Second {
			continue
		}
		lastAck = lastAck.Add(time.Second) // on the second's schedule, so that they come once a second on average
		for _, op := range []struct {
			what  string
			key   alarmKey
			count *atomic.Int64
		}{{"ack", keys[0], &s.count.acks}, {"clear", keys[n-1], &s.count.clears}} {
			path := base + "alarms/" + soakBusinessType + "/" + url.PathEscape(op.key.business) + "/" + url.PathEscape(op.key.id) + "/" + op.what
			if err := s.post(ctx, path, s.cfg.Token, []byte(`{"user":"soak"}`), nil); err != nil {
				s.count.fail(&s.count.httpErrors, err.Error())
				continue
			}
			op.count.Add(1)
		}
	}
}

// churnConsole resumes from a little before the latest seq, reads to synced checking the history,
// and leaves.
func (s *soak) churnConsole(ctx context.Context) error {
	since := max(s.lastSeq.Load()-50, 0)
	c, err := s.dial(ctx, consolePath(since))
	if err != nil {
		return err
	}
	defer c.close(time.Now().Add(time.Second))
	defer context.AfterFunc(ctx, func() { _ = c.conn.Close() })() // the load's end ends the wait
	if err := c.conn.SetReadDeadline(time.Now().Add(churnTimeout)); err != nil {
		return err
	}
	if err := s.follow(c, newSeqCheck(since), true, func() bool { return true }); err != nil {
		return fmt.Errorf("churning console since %d: no synced: %w", since, err)
	}
	return nil
}

// churn opens and closes cfg.Churn connections per second until ctx ends, dashboards and consoles
// in turn, at most churnInFlight at once: when that many are still open, the next waits (the
// churned count then falls behind the rate; each connection's own wait is bounded by churnTimeout).
func (s *soak) churn(ctx context.Context) {
	if s.cfg.Churn <= 0 {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, churnInFlight)
	start := time.Now()
	var n int64
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		for due := int64(s.cfg.Churn * time.Since(start).Seconds()); n < due; n++ {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func(n int64) {
				defer func() { <-slots; wg.Done() }()
				var err error
				if n%2 == 0 {
					err = s.churnDashboard(ctx, n, int(n/2)%s.cfg.Businesses)
				} else {
					err = s.churnConsole(ctx)
				}
				switch {
				case err == nil:
					s.count.churned.Add(1)
				case ctx.Err() == nil:
					s.count.fail(&s.count.connErrors, err.Error())
				}
			}(n)
		}
	}
}

// finalSeq is the seq of the last alarm event, once the load has stopped: what a console resuming
// from the last receipt's seq is synced to.
func (s *soak) finalSeq(ctx context.Context) (int64, error) {
	c, err := s.dial(ctx, consolePath(s.lastSeq.Load()))
	if err != nil {
		return 0, err
	}
	defer c.close(time.Now().Add(time.Second))
	if err := c.conn.SetReadDeadline(time.Now().Add(churnTimeout)); err != nil {
		return 0, err
	}
	var final int64 = -1
	err = readObjects(c, func(obj []byte) error {
		if bytes.HasPrefix(obj, syncedPrefix) {
			final, _ = frameSeq(obj)
			return errStop
		}
		if bytes.HasPrefix(obj, resetPrefix) {
			return errReset
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return final, nil
}
