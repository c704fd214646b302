package hub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestReplayJoin: live messages published while the replay runs, and one published late (after
// the replay had already read it from the store), reach the client once, in seq order, after the
// replayed history.
func TestReplayJoin(t *testing.T) {
	m := NewManager("test", NewBusinessIndex(), Options{})
	replaying, release := make(chan struct{}), make(chan struct{})
	replay := func(send func([]byte) error) (int64, error) {
		close(replaying)
		<-release
		for seq := 1; seq <= 5; seq++ {
			if err := send(fmt.Appendf(nil, `{"seq":%d}`, seq)); err != nil {
				return 0, err
			}
		}
		return 5, nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := Upgrade(&websocket.Upgrader{}, w, r)
		if err == nil {
			m.Attach(ws, Key{}, "", AttachOptions{Replay: replay})
		}
	}))
	defer srv.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()

	publish := func(seq int64) { m.Publish(Key{}, NewSeqMessage(fmt.Appendf(nil, `{"seq":%d}`, seq), seq)) }
	<-replaying
	publish(4) // in the replay too
	publish(6)
	close(release)
	var got []int64
	read := func(n int) {
		_ = ws.SetReadDeadline(time.Now().Add(patience))
		for len(got) < n {
			_, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("after %v: %v", got, err)
			}
			for _, line := range strings.Split(string(data), "\n") {
				var o struct{ Seq int64 }
				if err := json.Unmarshal([]byte(line), &o); err != nil {
					t.Fatalf("%q: %v", line, err)
				}
				got = append(got, o.Seq)
			}
		}
	}
	read(6)
	publish(5) // rung late: the replay already covered it
	publish(7)
	read(7)
	if fmt.Sprint(got) != "[1 2 3 4 5 6 7]" {
		t.Fatalf("got seqs %v, want [1 2 3 4 5 6 7]", got)
	}
}
