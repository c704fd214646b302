package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// dashboard is one row-data connection held for the whole soak, following one business: its items
// are numbered from 0 by the poster, so the check sees every loss, repeat and reordering.
type dashboard struct {
	conn     *wsConn
	business int
	id       []byte
	check    *seqCheck
}

// dashboards are the soak's held row-data connections.
type dashboards struct {
	list  []*dashboard
	wg    sync.WaitGroup
	final func(*dashboard) int64 // the last number each should have, once settled
}

// errStop ends a read loop without an error.
var errStop = errors.New("stop")

// readObjects reads messages from c and calls fn with each object of every text frame, until fn
// returns errStop (nil is returned) or another error, or the connection fails.
func readObjects(c *wsConn, fn func(obj []byte) error) error {
	buf := framePool.Get().(*[]byte)
	defer framePool.Put(buf)
	for {
		text, err := c.next()
		if err != nil {
			return err
		}
		if *buf, err = c.readMessage((*buf)[:0], !text); err != nil {
			return err
		}
		for frame := *buf; text && len(frame) > 0; {
			obj := frame
			if i := bytes.IndexByte(frame, '\n'); i >= 0 {
				obj, frame = frame[:i], frame[i+1:]
			} else {
				frame = nil
			}
			if err := fn(obj); err == errStop {
				return nil
			} else if err != nil {
				return err
			}
		}
	}
}

// socketUser is the userName of socket n: the token's sub, or a name of the run's own.
func (s *soak) socketUser(kind string, n int64) string {
	if s.user != "" {
		return s.user
	}
	return "soak-" + s.tag + "-" + kind + "-" + strconv.FormatInt(n, 10)
}

// dial opens a WebSocket at path on the next address.
func (s *soak) dial(ctx context.Context, path string) (*wsConn, error) {
	addr := s.cfg.Addrs[int(s.dials.Add(1))%len(s.cfg.Addrs)]
	c, err := wsDial(ctx, s.dialer, addr, path, s.cfg.Token, nil)
	if err != nil {
		return nil, fmt.Errorf("dial ws://%s%s: %w", addr, path, err)
	}
	return c, nil
}

// rowPath is the path of a dashboard of business b.
func (s *soak) rowPath(b int, user string) string {
	return "/ws/rowdata/" + soakBusinessType + "/" + url.PathEscape(s.businesses[b]) + "/" + url.PathEscape(user)
}

// openDashboards opens the held dashboards, 64 at a time, and waits until the server has them all.
func (s *soak) openDashboards(ctx context.Context) (*dashboards, error) {
	d := &dashboards{list: make([]*dashboard, s.cfg.Dashboards)}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		fail error
		next = make(chan int)
	)
	for range min(DefaultDialParallel, s.cfg.Dashboards) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				b := i % s.cfg.Businesses
				c, err := s.dial(ctx, s.rowPath(b, s.socketUser("dashboard", int64(i))))
				mu.Lock()
				if err != nil && fail == nil {
					fail = err
				}
				if err == nil {
					d.list[i] = &dashboard{conn: c, business: b, id: []byte(s.businesses[b]), check: newSeqCheck(-1)}
				}
				mu.Unlock()
			}
		}()
	}
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return fail != nil }
	for i := range s.cfg.Dashboards {
		if failed() || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if fail == nil {
		fail = ctx.Err()
	}
	if fail != nil {
		d.closeAll()
		return nil, fail
	}
	for _, db := range d.list {
		d.wg.Add(1)
		go func() { defer d.wg.Done(); s.readDashboard(db) }()
	}
	probe := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer probe.CloseIdleConnections()
	if err := waitSubscribed(ctx, probe, s.cfg.Addrs, s.cfg.Dashboards); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// readDashboard checks every live item of one held dashboard until its connection ends.
func (s *soak) readDashboard(d *dashboard) {
	err := readObjects(d.conn, func(obj []byte) error {
		p, kind := parseObject(obj)
		switch {
		case kind == kindOther:
		case kind == kindMangled || !bytes.Equal(p.id, d.id):
			s.count.fail(&s.count.misrouted, fmt.Sprintf("dashboard of %s received %.200s", d.id, obj))
		default:
			d.check.see(int64(p.seq), &s.count, &s.count.rowDeliveries)
			s.lat.Record(time.Duration(time.Now().UnixNano() - p.t))
		}
		return nil
	})
	if !s.stopping.Load() {
		s.count.fail(&s.count.connErrors, fmt.Sprintf("dashboard of %s dropped: %v", d.id, err))
	}
}

func (d *dashboards) closeAll() {
	deadline := time.Now().Add(time.Second)
	for _, db := range d.list {
		if db != nil {
			db.conn.close(deadline)
		}
	}
}

// close closes every dashboard and waits for their readers.
func (d *dashboards) close() {
	d.closeAll()
	d.wg.Wait()
}

// postRows posts cfg.RowRate items per second until ctx ends, every tick what is due, one POST at a
// time so that each business's items reach the server in their order. Item k goes to business
// k%Businesses, numbered after the last of that business the server accepted.
func (s *soak) postRows(ctx context.Context) {
	if s.cfg.RowRate <= 0 {
		return
	}
	target := "http://" + s.cfg.Addrs[0] + "/api/v1/rowdata"
	var body []byte
	var sent, next int64
	start := time.Now()
	ticker := time.NewTicker(soakTick)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		due := int64(s.cfg.RowRate * time.Since(start).Seconds())
		for sent < due && ctx.Err() == nil {
			n := min(due-sent, maxBatch)
			counts := map[int]int64{}
			body = append(body[:0], `{"items":[`...)
			now := time.Now().UnixNano()
			for i := range n {
				b := int((next + i) % int64(s.cfg.Businesses))
				if i > 0 {
					body = append(body, ',')
				}
				body = s.appendRow(body, b, s.rowSent[b].Load()+counts[b], now)
				counts[b]++
			}
			body = append(body, `]}`...)
			next, sent = next+n, sent+n
			if err := s.post(ctx, target, s.cfg.IngestKey, body, nil); err != nil {
				s.count.fail(&s.count.httpErrors, err.Error())
				continue // the numbers are not used: the next items take them
			}
			for b, c := range counts {
				s.rowSent[b].Add(c)
			}
			s.count.rows.Add(n)
		}
	}
}

// appendRow appends item seq of business b, stamped t, with the data layout parseObject reads.
func (s *soak) appendRow(b []byte, business int, seq, t int64) []byte {
	b = append(b, `{"businessType":"`+soakBusinessType+`","businessId":"`...)
	b = append(b, s.businesses[business]...)
	b = append(b, `","data":{"seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, t, 10)
	return append(b, `,"voltage":230.1}}`...)
}

// post sends body to target with key as bearer ("": none) and reports anything but a 200 with code
// 0; answer, when not nil, receives the body. The end of ctx does not cancel a post under way: the
// server may have taken it, and its items must be counted (the client's timeout bounds it).
func (s *soak) post(ctx context.Context, target, key string, body []byte, answer *[]byte) error {
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", target, err)
	}
	got, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(got, []byte(`"code":0`)) {
		return fmt.Errorf("POST %s: HTTP %d %s", target, resp.StatusCode, bytes.TrimSpace(got[:min(len(got), 300)]))
	}
	if answer != nil {
		*answer = got
	}
	return nil
}

// churnDashboard opens a dashboard of a random business, reads until its first row data (the
// snapshot, or a live item) and leaves.
func (s *soak) churnDashboard(ctx context.Context, n int64, b int) error {
	c, err := s.dial(ctx, s.rowPath(b, s.socketUser("churn", n)))
	if err != nil {
		return err
	}
	defer c.close(time.Now().Add(time.Second))
	defer context.AfterFunc(ctx, func() { _ = c.conn.Close() })() // the load's end ends the wait
	if err := c.conn.SetReadDeadline(time.Now().Add(churnTimeout)); err != nil {
		return err
	}
	err = readObjects(c, func(obj []byte) error {
		if bytes.Contains(obj, rowDataType) {
			return errStop
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("churning dashboard of %s: no row data: %w", s.businesses[b], err)
	}
	return nil
}
