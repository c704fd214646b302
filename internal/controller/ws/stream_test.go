package ws_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestStreamRowData: a dashboard's event stream answers with the headers proxies need, gets the
// snapshot of exactly its business, then its live items and no other business's, one object per
// data: line.
func TestStreamRowData(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.RowData.SnapshotSize = 3 })
	post := func(id string, v int) {
		n.MustPost("/api/v1/rowdata", map[string]any{"businessType": "meter", "businessId": id, "data": map[string]string{"n": fmt.Sprint(v)}})
	}
	for i := range 5 {
		post("m-1", i)
		post("m-10", i) // a prefix of it must not leak in
	}
	s := n.MustOpenStream("/sse/rowdata/meter/m-1/alice", nil)
	for h, want := range map[string]string{"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := s.Resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	n.WaitConnections(1, 0)
	var got []string
	for range 3 {
		e := s.NextEvent(t)
		v, marked := snapshotN(t, e.Object)
		if !marked || e.ID != "" || e.Name != "" {
			t.Fatalf("snapshot: got event %+v", e)
		}
		got = append(got, v)
	}
	if fmt.Sprint(got) != "[m-1:2 m-1:3 m-1:4]" {
		t.Fatalf("snapshot %v, want the latest 3 of m-1, oldest first", got)
	}
	post("m-10", 99)
	post("m-1", 5)
	e := s.NextEvent(t)
	if v, marked := snapshotN(t, e.Object); marked || v != "m-1:5" {
		t.Fatalf("live: got %s, want m-1:5 unmarked", e.Data)
	}
	s.Close()
	n.WaitConnections(0, 0) // the server sees the client go and frees the connection
}

// TestStreamAlarmReplayThenLive: /sse/alarm?since=S replays every event after S, each with its
// seq as id, then synced (id: its seq), then live events.
func TestStreamAlarmReplayThenLive(t *testing.T) {
	n := pulsenode.Start(t, nil)
	for i := range 6 {
		n.Raise(fmt.Sprintf(`{"alarmId":"s-%d","businessType":"meter","businessId":"m-1"}`, i))
	}
	s := n.MustOpenStream("/sse/alarm?since=2", nil)
	for want := int64(3); want <= 6; want++ {
		e := s.NextEvent(t)
		if e.Object.Type != "alarm" || e.Object.Seq != want || e.ID != strconv.FormatInt(want, 10) {
			t.Fatalf("replay: got id %q %s, want alarm seq %d with id %d", e.ID, e.Data, want, want)
		}
	}
	if e := s.NextEvent(t); e.Object.Type != "synced" || e.Object.Seq != 6 || e.ID != "6" {
		t.Fatalf("got id %q %s, want synced 6 with id 6", e.ID, e.Data)
	}
	r := n.Raise(`{"alarmId":"live","businessType":"meter","businessId":"m-1"}`)
	e := s.NextEvent(t)
	if e.Object.Type != "alarm" || e.Object.Seq != r[0].Seq || e.ID != strconv.FormatInt(r[0].Seq, 10) {
		t.Fatalf("live: got id %q %s, want seq %d", e.ID, e.Data, r[0].Seq)
	}
}

// TestStreamResumeWithLastEventID: a stream reopened with Last-Event-ID, as an EventSource
// reopens its URL, resumes after that id whatever ?since says: every event once, none lost while
// it was away.
func TestStreamResumeWithLastEventID(t *testing.T) {
	n := pulsenode.Start(t, nil)
	for i := range 4 {
		n.Raise(fmt.Sprintf(`{"alarmId":"r-%d","businessType":"meter","businessId":"m-1"}`, i))
	}
	first := n.MustOpenStream("/sse/alarm?since=0", nil)
	var seen []int64
	for len(seen) < 4 {
		if e := first.NextEvent(t); e.Object.Type == "alarm" {
			seen = append(seen, e.Object.Seq)
		}
	}
	first.Close()
	n.WaitConnections(0, 0)
	for i := range 3 { // while it is away
		n.Raise(fmt.Sprintf(`{"alarmId":"away-%d","businessType":"meter","businessId":"m-1"}`, i))
	}
	again := n.MustOpenStream("/sse/alarm?since=0", http.Header{"Last-Event-ID": {first.LastID}})
	for {
		e := again.NextEvent(t)
		if e.Object.Type == "synced" {
			break
		}
		seen = append(seen, e.Object.Seq)
	}
	n.Raise(`{"alarmId":"after","businessType":"meter","businessId":"m-1"}`)
	seen = append(seen, again.NextEvent(t).Object.Seq)
	if fmt.Sprint(seen) != "[1 2 3 4 5 6 7 8]" {
		t.Fatalf("seqs across the reconnect: %v, want 1..8 once each", seen)
	}

	status, env := decode(t, n, "/sse/alarm", http.Header{"Last-Event-ID": {"x"}})
	if status != http.StatusBadRequest || env.Code != 51 {
		t.Fatalf("Last-Event-ID x: %d %+v, want 400 code 51", status, env)
	}
}

// decode opens path and returns the refusal's status and {code,message}.
func decode(t *testing.T, n *pulsenode.Node, path string, h http.Header) (int, pulsenode.Envelope) {
	t.Helper()
	s, resp := n.OpenStream(path, h)
	if s != nil {
		t.Fatalf("GET %s: a stream, want a refusal", path)
	}
	var env pulsenode.Envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("GET %s: %d, body not JSON: %v", path, resp.StatusCode, err)
	}
	return resp.StatusCode, env
}

// TestStreamHeartbeat: an idle stream gets a comment every ws.pingInterval, and stays open.
func TestStreamHeartbeat(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) {
		c.WS.PingInterval = 100 * time.Millisecond
		c.WS.PongTimeout = 200 * time.Millisecond
	})
	s := n.MustOpenStream("/sse/rowdata/meter/m-1/alice", nil)
	comments := 0
	for comments < 5 { // well past PongTimeout: a stream, which never answers, is not dropped
		e, err := s.TryNext(pulsenode.Patience)
		if err != nil {
			t.Fatalf("after %d heartbeats: %v", comments, err)
		}
		if e.Comment == "" {
			t.Fatalf("got event %+v, want only heartbeats", e)
		}
		comments++
	}
	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","data":{"n":"1"}}`)
	if e := s.NextEvent(t); e.Object.Type != "rowdata" {
		t.Fatalf("after heartbeats: %s", e.Data)
	}
}

// TestStreamRefusals: with auth on, a stream is refused before it starts, with the WebSocket
// door's status and {code,message}; a token given as Authorization or access_token opens it.
func TestStreamRefusals(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	alice := pulsenode.Token(t, "alice", pulsenode.Grants{RowData: []string{"meter/*"}})
	for _, tc := range []struct {
		name, path string
		header     http.Header
		status     int
	}{
		{"no token", "/sse/alarm", nil, 401},
		{"a bad token", "/sse/rowdata/meter/m-1/alice", pulsenode.Bearer(alice[:len(alice)-4]), 401},
		{"another user's path", "/sse/rowdata/meter/m-1/bob", pulsenode.Bearer(alice), 403},
		{"a business not granted", "/sse/rowdata/pump/p-1/alice", pulsenode.Bearer(alice), 403},
		{"no alarms granted", "/sse/alarm", pulsenode.Bearer(alice), 403},
		{"a bad path", "/sse/rowdata/meter/alice", pulsenode.Bearer(alice), 400},
	} {
		status, env := decode(t, n, tc.path, tc.header)
		if status != tc.status || env.Message == "" {
			t.Errorf("%s: %d %+v, want %d with a message", tc.name, status, env, tc.status)
		}
	}
	s := n.MustOpenStream("/sse/rowdata/meter/m-1/alice?access_token="+alice, nil)
	n.WaitConnections(1, 0)
	s.Close()
	n.MustOpenStream("/sse/rowdata/meter/m-1/alice", pulsenode.Bearer(alice))
	n.WaitConnections(1, 0)
}

// TestStreamTokenExpiry: at its token's expiry a stream gets event: auth with {"code":4401} and
// ends.
func TestStreamTokenExpiry(t *testing.T) {
	n := pulsenode.StartAuth(t, nil)
	exp := time.Now().Add(2 * time.Second).Truncate(time.Second)
	token := pulsenode.Token(t, "console", pulsenode.Grants{Alarms: []string{"*"}}, func(c jwt.MapClaims) { c["exp"] = exp.Unix() })
	s := n.MustOpenStream("/sse/alarm", pulsenode.Bearer(token))
	if e := s.NextEvent(t); e.Object.Type != "synced" {
		t.Fatalf("got %s, want synced", e.Data)
	}
	rest, err := s.Ended(pulsenode.Patience)
	if err != nil {
		t.Fatal(err)
	}
	var last pulsenode.Event
	for _, e := range rest {
		if e.Comment == "" {
			last = e
		}
	}
	if last.Name != "auth" || last.Object.Code != 4401 {
		t.Fatalf("the stream ended with %+v, want event: auth with code 4401", last)
	}
	if now := time.Now(); now.Before(exp) {
		t.Errorf("ended %v before exp", exp.Sub(now))
	}
	n.WaitConnections(0, 0)
}

// TestStreamsCountInMaxConnections: streams and WebSockets share ws.maxConnections; a stream
// over it is refused with 503, and its slot is free again once it ends.
func TestStreamsCountInMaxConnections(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { c.WS.MaxConnections = 2 })
	n.Dial("/ws/rowdata/meter/m-1/alice")
	s := n.MustOpenStream("/sse/rowdata/meter/m-1/alice", nil)
	n.WaitConnections(2, 0)
	if status, env := decode(t, n, "/sse/alarm", nil); status != http.StatusServiceUnavailable {
		t.Fatalf("a third connection (stream): %d %+v, want 503", status, env)
	}
	if status, _, _ := n.Refused("/ws/alarm", nil); status != http.StatusServiceUnavailable {
		t.Fatalf("a third connection (WebSocket): %d, want 503", status)
	}
	s.Close()
	n.WaitConnections(1, 0)
	var opened *pulsenode.Stream
	poll.Eventually(t, func() bool { // the slot is released as the connection ends
		opened, _ = n.OpenStream("/sse/alarm", nil)
		return opened != nil
	}, "a stream after one ended")
}

// TestSlowStreamConsole: an alarm stream that cannot keep up is ended (as a WebSocket console is
// closed with 1013) after a gap-free prefix of the alarms, and comes back with Last-Event-ID to
// the rest, without a gap or a duplicate.
func TestSlowStreamConsole(t *testing.T) {
	n := pulsenode.Start(t, func(c *config.Config) { pulsenode.PatientClients(c); c.WS.SendQueue = 32 })
	slow, read := n.OpenSlowStream("/sse/alarm")
	n.WaitConnections(0, 1)
	const batch, most = 16, 4000 // most: the fill never takes this many (32 MB)
	content := strings.Repeat("c", 8000)
	total := 0
	for n.Alarm.Stats().SlowClosed == 0 {
		if total >= most {
			t.Fatalf("a stream that read nothing of %d alarms was not ended", total)
		}
		var b strings.Builder
		b.WriteString(`{"items":[`)
		for i := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"businessType":"meter","businessId":"m-%d","content":%q}`, total+i, content)
		}
		b.WriteString(`]}`)
		n.MustPost("/api/v1/alarm", b.String())
		total += batch
	}
	read()
	if e := slow.NextEvent(t); e.Object.Type != "synced" {
		t.Fatalf("the slow stream began with %s, want synced", e.Data)
	}
	rest, err := slow.Ended(pulsenode.Patience)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(1)
	for _, e := range rest {
		if e.Comment != "" {
			continue
		}
		if e.Object.Seq != want || e.ID != strconv.FormatInt(want, 10) {
			t.Fatalf("slow stream: got id %q seq %d, want %d: alarms are never skipped", e.ID, e.Object.Seq, want)
		}
		want++
	}
	if want-1 >= int64(total) {
		t.Fatal("the slow stream was not slow: it received everything")
	}
	back := n.MustOpenStream("/sse/alarm", http.Header{"Last-Event-ID": {slow.LastID}})
	for {
		e := back.NextEvent(t)
		if e.Object.Type == "synced" {
			break
		}
		if e.Object.Seq != want {
			t.Fatalf("resumed stream got seq %d, want %d", e.Object.Seq, want)
		}
		want++
	}
	if want-1 != int64(total) {
		t.Fatalf("resumed stream got up to %d, want %d", want-1, total)
	}
}

// TestClusterStreams: a stream on one node gets what is ingested on another, through the bus,
// as a WebSocket does: row data of its business, alarms with their cluster-wide seq as id.
func TestClusterStreams(t *testing.T) {
	testsvc.RequireRedis(t)
	testsvc.EachDatabase(t, "pulse_ws_stream_test", func(t *testing.T, link string) {
		nodes := pulsenode.StartCluster(t, 2, testsvc.RedisAddr, link, false)
		rows := nodes[1].MustOpenStream("/sse/rowdata/meter/m-1/u", nil)
		alarms := nodes[1].MustOpenStream("/sse/alarm", nil)
		if e := alarms.NextEvent(t); e.Object.Type != "synced" {
			t.Fatalf("got %s, want synced", e.Data)
		}
		nodes[1].WaitConnections(1, 1)
		nodes[0].MustPost("/api/v1/rowdata", `{"items":[{"businessType":"meter","businessId":"m-2","data":{"n":"other"}},{"businessType":"meter","businessId":"m-1","data":{"n":"mine"}}]}`)
		if v, _ := snapshotN(t, rows.NextEvent(t).Object); v != "m-1:mine" {
			t.Fatalf("row data from the other node: %s, want m-1:mine", v)
		}
		r := nodes[0].Raise(`{"alarmId":"x","businessType":"meter","businessId":"m-1"}`)
		if e := alarms.NextEvent(t); e.Object.Seq != r[0].Seq || e.ID != strconv.FormatInt(r[0].Seq, 10) {
			t.Fatalf("alarm from the other node: id %q %s, want seq %d", e.ID, e.Data, r[0].Seq)
		}
	})
}
