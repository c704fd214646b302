package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/client"
)

// The moments a request of the client meets the server's death (SIGKILL), as the proxy in front
// of it arranges them.
const (
	// killBefore: the server dies before the request reaches it; nothing of it is stored.
	killBefore = "before"
	// killDuring: the server dies once the request was written to it, while it handles it; it is
	// stored or not, whichever the kill came before.
	killDuring = "during"
	// killAfter: the server dies after it answered, before the client heard the answer: the batch
	// is stored and the client does not know it.
	killAfter = "after"
)

// TestKillMidBatch: a batching client sends 600 alarms in batches of 50 through a proxy to a
// server with an on-disk SQLite store. Three times a batch is in flight when the server is killed
// (SIGKILL): before it receives the batch, while it handles it, and after it answered but before
// the answer reached the client; each time the connection drops, the server restarts on the same
// store and port, and the client retries the batch with its Idempotency-Key. In the end the store
// holds every alarm exactly once: 600 alarms, each with count 1; nothing doubled, nothing lost.
func TestKillMidBatch(t *testing.T) {
	s := startServer(t, "")
	plan := map[int]string{2: killAfter, 5: killBefore, 8: killDuring} // by the number of the batch
	p := newKillProxy(t, s, plan)
	c := newClient(t, p.srv.URL, quick, client.WithBatching(50, time.Hour))
	ctx := testContext(t)

	const total = 600
	for i := range total {
		if err := c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{
			AlarmId: fmt.Sprintf("k-%03d", i), BusinessType: "meter", BusinessId: "m-1", Title: "batch",
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if err := p.err(); err != nil {
		t.Fatal(err)
	}
	if kills := p.killed(); len(kills) != 3 {
		t.Fatalf("the server was killed at %v, want 3 kills", kills)
	}

	alarms := s.alarms(t)
	seen := map[string]int64{}
	for _, a := range alarms {
		seen[a.AlarmId] += a.Count
	}
	for i := range total {
		id := fmt.Sprintf("k-%03d", i)
		if seen[id] != 1 {
			t.Errorf("alarm %s raised %d times, want 1", id, seen[id])
		}
	}
	if len(alarms) != total {
		t.Fatalf("%d alarms stored, want %d", len(alarms), total)
	}
}

// killProxy passes the client's requests on to the server, and kills and restarts the server at
// the first attempt of the batches its plan names (a batch is known by its Idempotency-Key,
// numbered from 1 in the order they come). A request it cannot pass on (the server is down) has
// its connection dropped, as a dead server's would be.
type killProxy struct {
	srv  *httptest.Server
	s    *server
	plan map[int]string

	restarting sync.Mutex // one kill and restart at a time
	mu         sync.Mutex
	batches    map[string]int // Idempotency-Key: the batch's number
	kills      []string
	fail       error
}

func newKillProxy(t *testing.T, s *server, plan map[int]string) *killProxy {
	p := &killProxy{s: s, plan: plan, batches: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *killProxy) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		drop(w)
		return
	}
	moment, n := p.moment(req.Header.Get("Idempotency-Key"))
	out, _ := http.NewRequest(req.Method, p.s.URL()+req.URL.RequestURI(), strings.NewReader(string(body)))
	out.Header = req.Header.Clone()
	upstream := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	switch moment {
	case killBefore:
		p.killAndRestart(n, killBefore, w)
		return
	case killDuring:
		written := make(chan struct{})
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(written) }}
		out = out.WithContext(httptrace.WithClientTrace(context.Background(), trace))
		answered := make(chan struct{})
		go func() {
			defer close(answered)
			if resp, err := upstream.Do(out); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
		select {
		case <-written:
		case <-answered: // not even written: the server was not there
		}
		p.killAndRestart(n, killDuring, w)
		<-answered
		return
	}
	resp, err := upstream.Do(out)
	if err != nil {
		drop(w) // the server is down (restarting)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		drop(w)
		return
	}
	if moment == killAfter {
		if resp.StatusCode != http.StatusOK {
			p.setErr(fmt.Errorf("batch %d, to be killed after its answer, was answered %d %s", n, resp.StatusCode, answer))
		}
		p.killAndRestart(n, killAfter, w)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// moment is when the server is to die for the request with the Idempotency-Key key: "" unless it is
// the first attempt of a batch the plan names. n is the batch's number.
func (p *killProxy) moment(key string) (moment string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n, seen := p.batches[key]; seen {
		return "", n
	}
	n = len(p.batches) + 1
	p.batches[key] = n
	return p.plan[n], n
}

// killAndRestart kills the server, drops the client's connection, and starts the server again on
// the same store and port (the client retries meanwhile, and its attempts are dropped).
func (p *killProxy) killAndRestart(n int, moment string, w http.ResponseWriter) {
	p.restarting.Lock()
	defer p.restarting.Unlock()
	p.s.Kill()
	drop(w)
	p.mu.Lock()
	p.kills = append(p.kills, fmt.Sprintf("batch %d (%s)", n, moment))
	p.mu.Unlock()
	if err := p.s.Start(); err != nil {
		p.setErr(err)
	}
}

func (p *killProxy) setErr(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail == nil {
		p.fail = err
	}
}

func (p *killProxy) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fail
}

func (p *killProxy) killed() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.kills...)
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
