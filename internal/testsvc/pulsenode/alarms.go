package pulsenode

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// AlarmOf decodes the alarm state an alarm object carries.
func AlarmOf(t *testing.T, o Object) model.Alarm {
	t.Helper()
	var a model.Alarm
	if o.Type != "alarm" {
		t.Fatalf("want an alarm object, got %s", o.Raw)
	}
	if err := json.Unmarshal(o.Data, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// Raise posts alarms and returns their receipts.
func (n *Node) Raise(body string) []model.AlarmReceipt {
	n.T.Helper()
	var res struct{ Items []model.AlarmReceipt }
	if err := json.Unmarshal(n.MustPost("/api/v1/alarm", body).Data, &res); err != nil {
		n.T.Fatal(err)
	}
	return res.Items
}

// AlarmCount is how many alarms the store lists.
func (n *Node) AlarmCount() int {
	n.T.Helper()
	_, env := n.Get("/api/v1/alarms?limit=1000", nil)
	return strings.Count(string(env.Data), `"alarmId"`)
}

// History is GET .../events of the alarm at path (type/id/alarmId), decoded.
func (n *Node) History(path string) []model.AlarmMessage {
	n.T.Helper()
	status, env := n.Get("/api/v1/alarms/"+path+"/events", nil)
	if status != http.StatusOK {
		n.T.Fatalf("history of %s: %d %+v", path, status, env)
	}
	var res struct{ Items []model.AlarmMessage }
	if err := json.Unmarshal(env.Data, &res); err != nil {
		n.T.Fatal(err)
	}
	return res.Items
}

// List is GET /api/v1/alarms with query (without "?"), decoded.
func (n *Node) List(query string) []model.Alarm {
	n.T.Helper()
	items, _ := n.ListPage(query)
	return items
}

// ListPage is GET /api/v1/alarms with query: the page's alarms and its nextCursor.
func (n *Node) ListPage(query string) ([]model.Alarm, string) {
	n.T.Helper()
	status, env := n.Get("/api/v1/alarms?"+query, nil)
	if status != http.StatusOK {
		n.T.Fatalf("list ?%s: %d %+v", query, status, env)
	}
	var res struct {
		Items      []model.Alarm
		NextCursor string
	}
	if err := json.Unmarshal(env.Data, &res); err != nil {
		n.T.Fatal(err)
	}
	return res.Items, res.NextCursor
}

// ListIds is the ids of GET /api/v1/alarms?query.
func (n *Node) ListIds(query string) []string {
	n.T.Helper()
	var ids []string
	for _, a := range n.List(query) {
		ids = append(ids, a.AlarmId)
	}
	return ids
}

// PostOnce posts body to path with the Idempotency-Key key (none when empty) and the extra
// headers, and returns the status, the decoded {code,message,data} and the response headers.
func (n *Node) PostOnce(path, key, body string, header http.Header) (int, Envelope, http.Header) {
	n.T.Helper()
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if key != "" {
		h.Set("Idempotency-Key", key)
	}
	n.withCredentials(path, h)
	status, env, got, _ := n.Request(http.MethodPost, path, "application/json", []byte(body), h)
	return status, env, got
}

// StoredAlarm is the alarm id as the list gives it (nil when it is not listed).
func (n *Node) StoredAlarm(id string) *model.Alarm {
	n.T.Helper()
	_, env := n.Get("/api/v1/alarms?limit=1000", nil)
	var list struct{ Items []model.Alarm }
	if err := json.Unmarshal(env.Data, &list); err != nil {
		n.T.Fatalf("alarm list %s: %v", env.Data, err)
	}
	for i := range list.Items {
		if list.Items[i].AlarmId == id {
			return &list.Items[i]
		}
	}
	return nil
}

// Business is one item of GET /api/v1/businesses.
type Business struct {
	BusinessType, BusinessId string
	LastTime                 int64
}

// Businesses lists GET path's items as "type/id", most recent first.
func Businesses(t *testing.T, n *Node, path string, header http.Header) (int, Envelope, []Business) {
	t.Helper()
	status, env, _ := n.Call(http.MethodGet, path, header, "")
	var list struct{ Items []Business }
	if status == 200 {
		if err := json.Unmarshal(env.Data, &list); err != nil {
			t.Fatalf("GET %s: data %s: %v", path, env.Data, err)
		}
	}
	return status, env, list.Items
}
