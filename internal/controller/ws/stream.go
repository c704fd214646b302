package ws

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/pulse-monitoring/pulse/internal/hub"
	"github.com/pulse-monitoring/pulse/internal/sse"
)

// serveStream opens the event stream of a request the door has admitted (its slot taken) and
// attaches it to m. From here on the answer is the stream: a failure to open it means the client
// is gone.
func (d *Door) serveStream(w http.ResponseWriter, r *http.Request, m *hub.Manager, key hub.Key, user string, opts hub.AttachOptions) {
	var extra http.Header
	if origin := r.Header.Get("Origin"); d.origins.Listed(origin) { // an EventSource of a listed page
		extra = http.Header{"Access-Control-Allow-Origin": {origin}, "Vary": {"Origin"}}
	}
	s, err := sse.Open(w, extra)
	if err != nil {
		d.slots.release()
		return
	}
	m.AttachStream(s, key, user, opts)
}

// lastEventID reads the Last-Event-ID header of a stream's reconnect: the id (seq) of the last
// alarm event the client received. It takes precedence over ?since, which the client's first
// request carried: an EventSource reconnects to the same URL.
func lastEventID(h http.Header, since int64, resume bool) (int64, bool, error) {
	v, ok := h["Last-Event-Id"]
	if !ok || (len(v) == 1 && v[0] == "") {
		return since, resume, nil // "" is what a browser sends when no event had an id
	}
	if len(v) != 1 {
		return 0, false, errLastEventID(v[0])
	}
	id, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || id < 0 {
		return 0, false, errLastEventID(v[0])
	}
	return id, true, nil
}

func errLastEventID(v string) error {
	return fmt.Errorf("Last-Event-ID: must be the id (seq) of the last alarm event received (an integer >= 0), got %q", v)
}
