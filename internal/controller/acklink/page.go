// Package acklink serves the ack links' page: GET /ack/<token> shows the alarm and a button and
// changes nothing (mail scanners and chat previews open links); the button POSTs a form to the
// same URL, which acknowledges the alarm as "link:<outlet>:<recipient>" unless it was cleared
// since the link was made. The link is the credential (no token auth): it is signed, expires and
// works once.
package acklink

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/acklink"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/alarm"
)

// Page serves /ack/<token>.
type Page struct {
	// Links is the links' keys: nil when links are off (every link is then unknown).
	Links  func() *acklink.Links
	Alarms *alarm.Service
}

// Owns reports whether r is for the ack page.
func Owns(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, acklink.PathPrefix) }

// view is what the page shows.
type view struct {
	Title   string
	Message string
	Alarm   *model.Alarm
	Button  bool
	Time    func(int64) string
}

func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The URL is the credential: no referrer carries it elsewhere, no cache keeps the page, no
	// other site frames the button.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		h.Set("Allow", "GET, POST")
		render(w, http.StatusMethodNotAllowed, view{Title: "Not allowed", Message: "Open the link, then press the button."})
		return
	}
	token := strings.TrimPrefix(r.URL.Path, acklink.PathPrefix)
	c, err := p.Links().Parse(token)
	switch {
	case errors.Is(err, acklink.ErrExpired):
		render(w, http.StatusGone, view{Title: "Link expired", Message: err.Error()})
		return
	case err != nil:
		render(w, http.StatusNotFound, view{Title: "Unknown link", Message: acklink.ErrForged.Error()})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	a, clearedSince, err := p.state(ctx, c)
	if err != nil {
		p.fail(w, err)
		return
	}
	if r.Method == http.MethodGet {
		v := view{Title: "Acknowledge this alarm?", Alarm: a, Button: true}
		switch {
		case clearedSince:
			v.Title, v.Message, v.Button = "Alarm cleared", "The alarm was cleared after this link was sent: there is nothing to acknowledge.", false
		case a.Status == model.StatusAcked:
			v.Message = "Already acknowledged by " + a.AckedBy + "."
		}
		render(w, http.StatusOK, v)
		return
	}
	if clearedSince {
		render(w, http.StatusConflict, view{Title: "Alarm cleared", Alarm: a,
			Message: "The alarm was cleared after this link was sent: it was not acknowledged."})
		return
	}
	first, err := p.Alarms.UseLink(ctx, c.ID, c.Expires)
	switch {
	case err != nil:
		p.fail(w, err)
		return
	case !first:
		render(w, http.StatusGone, view{Title: "Link used", Alarm: a, Message: "This link has been used already: each works once."})
		return
	}
	acked, err := p.Alarms.Ack(ctx, c.Key(), alarm.Change{User: c.AckedBy()}, model.Scope{})
	if err != nil {
		if gerror.Code(err).Code() == consts.CodeUnavailable.Code() {
			p.Alarms.ForgetLink(context.WithoutCancel(ctx), c.ID)
		}
		p.fail(w, err)
		return
	}
	render(w, http.StatusOK, view{Title: "Acknowledged", Alarm: acked, Message: "Acknowledged as " + acked.AckedBy + "."})
}

// state is the alarm's current state, and whether it was cleared after the link was made (then
// the link no longer acknowledges: it was sent for a trouble that is over).
func (p *Page) state(ctx context.Context, c acklink.Claims) (*model.Alarm, bool, error) {
	events, err := p.Alarms.Events(ctx, c.Key(), 1000, model.Scope{})
	if err != nil {
		return nil, false, err
	}
	cleared := false
	for _, e := range events {
		if e.Event == model.EventCleared && e.Ts >= c.Issued {
			cleared = true
		}
	}
	a := events[len(events)-1].Data
	return a, cleared || a.Status == model.StatusCleared, nil
}

// fail answers a store's error as a page: the alarm gone (404), a conflict (409), the store down (503).
func (p *Page) fail(w http.ResponseWriter, err error) {
	switch gerror.Code(err).Code() {
	case consts.CodeNotFound.Code():
		render(w, http.StatusNotFound, view{Title: "Unknown alarm", Message: "The alarm of this link is no longer stored."})
	case consts.CodeConflict.Code():
		render(w, http.StatusConflict, view{Title: "Alarm cleared", Message: "The alarm was cleared: it was not acknowledged."})
	default:
		w.Header().Set("Retry-After", "10")
		render(w, http.StatusServiceUnavailable, view{Title: "Try again", Message: "Pulse cannot reach its alarm store now; try again in a moment."})
	}
}

func render(w http.ResponseWriter, status int, v view) {
	v.Time = func(ms int64) string {
		if ms == 0 {
			return "—"
		}
		return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05 UTC")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = page.Execute(w, v)
}

var page = template.Must(template.New("ack").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}} · Pulse</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#666}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:.3rem;background:#c62828;color:#fff;cursor:pointer}
.level-critical{color:#b71c1c;font-weight:bold}</style></head>
<body><h1>{{.Title}}</h1>
{{with .Message}}<p id="message">{{.}}</p>{{end}}
{{with .Alarm}}<dl id="alarm">
<dt>Alarm</dt><dd>{{.Title}}</dd>
<dt>Level</dt><dd class="level-{{.Level}}">{{.Level}}</dd>
<dt>Business</dt><dd>{{.BusinessType}}/{{.BusinessId}}</dd>
<dt>Id</dt><dd>{{.AlarmId}}</dd>
<dt>Status</dt><dd id="status">{{.Status}}</dd>
<dt>Raised</dt><dd>{{call $.Time .LastTime}} ({{.Count}}×)</dd>
{{with .Content}}<dt>Details</dt><dd>{{.}}</dd>{{end}}
</dl>{{end}}
{{if .Button}}<form method="post"><button type="submit">Acknowledge</button></form>{{end}}
</body></html>
`))
