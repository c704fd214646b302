package middleware

import (
	"net/url"
	"strings"
	"testing"
)

// TestLoggedURLHasNoToken: the access log shows a URL's path and query without access_token,
// however its name is spelt or encoded.
func TestLoggedURLHasNoToken(t *testing.T) {
	for raw, want := range map[string]string{
		"/ws/alarm?access_token=eyJhbGciOi.x.y&since=5":     "/ws/alarm?since=5",
		"/ws/alarm?since=5&access%5Ftoken=eyJhbGciOi.x.y":   "/ws/alarm?since=5",
		"/ws/alarm?ACCESS_TOKEN=eyJhbGciOi.x.y":             "/ws/alarm",
		"/ws/alarm?access_token=a&access_token=b&resume=1":  "/ws/alarm?resume=1",
		"/ws/alarm?%zz=eyJhbGciOi.x.y":                      "/ws/alarm",
		"/api/v1/alarms?status=active&limit=10":             "/api/v1/alarms?status=active&limit=10",
		"/ws/rowdata/meter/m%2F1/alice?access_token=eyJhbG": "/ws/rowdata/meter/m%2F1/alice",
		"/ack/eyJpIjoiYWJj.c2lnbmF0dXJl":                    "/ack/...",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := loggedURL(u); got != want {
			t.Errorf("%s: logged %s, want %s", raw, got, want)
		}
	}
	long, _ := url.Parse("/api/v1/alarms?q=" + strings.Repeat("a", 1000))
	if got := loggedURL(long); len(got) > 300 || !strings.HasSuffix(got, "...") {
		t.Errorf("a long query is logged whole: %d bytes", len(got))
	}
}
