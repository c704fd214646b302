package acklink_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/acklink"
	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

var linkKey = base64.StdEncoding.EncodeToString([]byte("ack-link-test-key-of-32-bytes-or-more"))

// linkNode starts a node whose ack links are signed with linkKey (ttl 1h) and returns it with its links.
func linkNode(t *testing.T, edit func(*config.Config)) (*pulsenode.Node, *acklink.Links) {
	t.Helper()
	links, err := acklink.New("https://pulse.example.com", []string{linkKey}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	n := pulsenode.StartWith(t, edit, func(a *app.App) { a.AckLinks = links })
	return n, links
}

// openLink sends method to the link's path on n (a form POST, as the page's button) and returns
// the status and the page.
func openLink(t *testing.T, n *pulsenode.Node, link, method string) (int, string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, n.Base+u.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("%s %s: Content-Type %q, want a page", method, u.Path, ct)
	}
	if resp.Header.Get("Referrer-Policy") != "no-referrer" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%s: the page may leak its link: %v", u.Path, resp.Header)
	}
	return resp.StatusCode, string(page)
}

// TestAckLink: GET shows the alarm and a button and changes nothing; the form POST acknowledges
// it as link:<outlet>:<recipient> (every console gets the acked event); the link works once. On
// SQLite, MariaDB and PostgreSQL; with auth on, no token is needed (the link is the credential).
func TestAckLink(t *testing.T) {
	test := func(t *testing.T, edit func(*config.Config)) {
		n, links := linkNode(t, edit)
		n.Credentials = n.Config.Auth.Enabled // the test's own calls carry credentials; the link's do not
		pulsenode.RaiseAs(t, n, "all-alarms", "l-1", "meter", "m-1")
		c := n.Dial("/ws/alarm")
		link := links.AckURL("ops-mail", "oncall@example.com", model.Alarm{AlarmBusinessData: model.AlarmBusinessData{
			AlarmId: "l-1", BusinessType: "meter", BusinessId: "m-1"}})
		status, page := openLink(t, n, link, http.MethodGet)
		if status != http.StatusOK || !strings.Contains(page, `<form method="post">`) || !strings.Contains(page, "meter/m-1") {
			t.Fatalf("GET: %d %s", status, page)
		}
		if a := n.StoredAlarm("l-1"); a.Status != model.StatusActive {
			t.Fatalf("GET changed the alarm: %s", a.Status)
		}
		status, page = openLink(t, n, link, http.MethodPost)
		if status != http.StatusOK || !strings.Contains(page, "Acknowledged") {
			t.Fatalf("POST: %d %s", status, page)
		}
		a := c.NextEvent(model.EventAcked, "l-1")
		if a.AckedBy != "link:ops-mail:oncall@example.com" {
			t.Fatalf("ackedBy %q", a.AckedBy)
		}
		if status, page = openLink(t, n, link, http.MethodPost); status != http.StatusGone || !strings.Contains(page, "used") {
			t.Fatalf("POST again: %d %s, want 410 used", status, page)
		}
	}
	t.Run("sqlite", func(t *testing.T) { test(t, nil) })
	t.Run("auth on", func(t *testing.T) { test(t, pulsenode.WithAuth(t)) })
	testsvc.EachDatabase(t, "pulse_acklink_test", func(t *testing.T, link string) {
		test(t, func(c *config.Config) { c.Database = gdb.ConfigNode{Link: link} })
	})
}

// raiseMeter raises alarmId of meter/m-1 on a node with auth off.
func raiseMeter(n *pulsenode.Node, alarmId string) {
	n.Raise(`{"alarmId":"` + alarmId + `","businessType":"meter","businessId":"m-1"}`)
}

// TestAckLinkRefusals: a link to an alarm cleared since it was made (even raised again since)
// acknowledges nothing (409, and says so, on GET too); a forged, cut or expired link is a page
// saying so (404, 410); a link signed by a key dropped from linkKeys is forged; with links off
// every link is unknown; other methods are 405.
func TestAckLinkRefusals(t *testing.T) {
	n, links := linkNode(t, nil)
	alarmRef := func(id string) model.Alarm {
		return model.Alarm{AlarmBusinessData: model.AlarmBusinessData{AlarmId: id, BusinessType: "meter", BusinessId: "m-1"}}
	}
	raiseMeter(n, "r-1")
	link := links.AckURL("chat", "", alarmRef("r-1"))
	n.MustPost("/api/v1/alarms/meter/m-1/r-1/clear", `{}`)
	raiseMeter(n, "r-1")
	if status, page := openLink(t, n, link, http.MethodGet); status != http.StatusOK || !strings.Contains(page, "cleared") || strings.Contains(page, "<form") {
		t.Fatalf("GET of a link cleared since: %d %s", status, page)
	}
	if status, page := openLink(t, n, link, http.MethodPost); status != http.StatusConflict || !strings.Contains(page, "cleared") {
		t.Fatalf("POST of a link cleared since: %d %s", status, page)
	}
	if a := n.StoredAlarm("r-1"); a.Status != model.StatusActive {
		t.Fatalf("a link of a cleared alarm acknowledged its new raise: %s", a.Status)
	}

	raiseMeter(n, "r-2")
	good := links.AckURL("chat", "", alarmRef("r-2"))
	expired := links.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) }).AckURL("chat", "", alarmRef("r-2"))
	otherKey, _ := acklink.New("https://pulse.example.com", []string{base64.StdEncoding.EncodeToString([]byte("another-key-of-thirty-two-bytes-or-more"))}, time.Hour)
	for _, c := range []struct {
		link   string
		status int
		says   string
	}{
		{good[:len(good)-4], http.StatusNotFound, "not one Pulse made"},
		{good + "x", http.StatusNotFound, "not one Pulse made"},
		{"https://pulse.example.com/ack/", http.StatusNotFound, "not one Pulse made"},
		{otherKey.AckURL("chat", "", alarmRef("r-2")), http.StatusNotFound, "not one Pulse made"},
		{expired, http.StatusGone, "expired"},
		{links.AckURL("chat", "", alarmRef("no-such-alarm")), http.StatusNotFound, "no longer stored"},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if status, page := openLink(t, n, c.link, method); status != c.status || !strings.Contains(page, c.says) {
				t.Errorf("%s %s: %d, want %d saying %q: %s", method, c.link, status, c.status, c.says, page)
			}
		}
	}
	if a := n.StoredAlarm("r-2"); a.Status != model.StatusActive {
		t.Fatalf("a refused link acknowledged: %s", a.Status)
	}
	if status, _ := openLink(t, n, good, http.MethodPut); status != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d", status)
	}
	off := pulsenode.Start(t, nil)
	raiseMeter(off, "r-2")
	if status, _ := openLink(t, off, good, http.MethodPost); status != http.StatusNotFound {
		t.Fatalf("links off: %d, want 404", status)
	}
}
