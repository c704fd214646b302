package client_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulseproc"
)

// The client's tests run it against the real server: the pulse binary, built once for the
// package (or the binary PULSE_BIN names, when set), run as a child process with a store of
// its own, which a test may kill and start again.

func TestMain(m *testing.M) { pulseproc.Main(m) }

// serverBinary is the pulse binary the tests run.
func serverBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("PULSE_BIN"); bin != "" {
		return bin
	}
	return pulseproc.Build(t, "")
}

// server is a pulse process whose SQLite store is in its folder; Kill and Start restart it on the
// same store and port.
type server struct{ *pulseproc.Process }

// startServer starts a server on a free port with extra appended to its config.yaml; it is
// killed when the test ends.
func startServer(t *testing.T, extra string) *server {
	t.Helper()
	return &server{pulseproc.Start(t, &pulseproc.Process{Bin: serverBinary(t), Extra: extra})}
}

// listedAlarm is an alarm of the list API, with what the tests check.
type listedAlarm struct {
	AlarmId      string `json:"alarmId"`
	BusinessType string `json:"businessType"`
	BusinessId   string `json:"businessId"`
	Level        string `json:"level"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	Count        int64  `json:"count"`
}

// alarms is every alarm the server's list API gives (GET /api/v1/alarms, page after page).
func (s *server) alarms(t *testing.T) []listedAlarm {
	t.Helper()
	var all []listedAlarm
	cursor := ""
	for {
		q := url.Values{"limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []listedAlarm `json:"items"`
			NextCursor string        `json:"nextCursor"`
		}
		s.get(t, "/api/v1/alarms?"+q.Encode(), &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// rowItem is a row-data item as the history gives it.
type rowItem struct {
	Data struct {
		BusinessType string          `json:"businessType"`
		BusinessId   string          `json:"businessId"`
		Data         json.RawMessage `json:"data"`
	} `json:"data"`
}

// history is the row data the server keeps of (typ, id) (GET /api/v1/rowdata/history).
func (s *server) history(t *testing.T, typ, id string) []rowItem {
	t.Helper()
	var h struct {
		Series []struct {
			Items []rowItem `json:"items"`
		} `json:"series"`
	}
	s.get(t, "/api/v1/rowdata/history?"+url.Values{"businessType": {typ}, "businessId": {id}}.Encode(), &h)
	var items []rowItem
	for _, series := range h.Series {
		items = append(items, series.Items...)
	}
	return items
}

// get decodes the data of a 200 answer to path into out.
func (s *server) get(t *testing.T, path string, out any) {
	t.Helper()
	resp, err := http.Get(s.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Code int             `json:"code"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || resp.StatusCode != http.StatusOK || env.Code != 0 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, raw)
	}
}
