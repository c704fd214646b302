package ws_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaDir holds the WebSocket messages' JSON Schemas (docs/schemas, linked from PROTOCOL.md).
const schemaDir = "../../../docs/schemas"

// messageSchemas are the compiled schemas of one direction ("server" or "client"), by type.
func messageSchemas(t *testing.T, direction string, types ...string) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	schemas := map[string]*jsonschema.Schema{}
	for _, typ := range types {
		path, err := filepath.Abs(filepath.Join(schemaDir, direction, typ+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		if schemas[typ], err = c.Compile(path); err != nil {
			t.Fatalf("%s/%s: %v", direction, typ, err)
		}
	}
	return schemas
}

// conforms reports whether message meets the schema of its type; it fails the test when the type
// has no schema.
func conforms(t *testing.T, schemas map[string]*jsonschema.Schema, message []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(message))
	if err != nil {
		t.Fatalf("%s: %v", message, err)
	}
	var typed struct{ Type string }
	_ = json.Unmarshal(message, &typed)
	s, ok := schemas[typed.Type]
	if !ok {
		t.Fatalf("no schema for the message %s", message)
	}
	return s.Validate(v)
}

// TestMessageSchemas: every kind of message a real server sends (row data, alarm events with and
// without data, the end of a console's history, a reset, pongs, errors, a refresh's answer, notices)
// meets its schema in docs/schemas/server, and the messages the clients send here meet theirs in
// docs/schemas/client.
func TestMessageSchemas(t *testing.T) {
	server := messageSchemas(t, "server", "rowdata", "alarm", "synced", "reset", "pong", "error", "auth", "notice")
	fromClient := messageSchemas(t, "client", "ping", "ack", "clear", "auth")
	seen := map[string]int{}
	check := func(o pulsenode.Object) pulsenode.Object {
		t.Helper()
		if err := conforms(t, server, o.Raw); err != nil {
			t.Errorf("the server's %s does not meet its schema: %v", o.Raw, err)
		}
		seen[o.Type]++
		return o
	}
	send := func(c *pulsenode.Client, message string) {
		t.Helper()
		if err := conforms(t, fromClient, []byte(message)); err != nil {
			t.Fatalf("the test's %s does not meet its schema: %v", message, err)
		}
		c.Send(message)
	}

	n := pulsenode.Start(t, nil)
	dashboard := n.Dial("/ws/rowdata/meter/m-1/u")
	console := n.Dial("/ws/alarm")
	n.MustPost("/api/v1/rowdata", `{"businessType":"meter","businessId":"m-1","time":1732250000123,"data":{"voltage":229.8}}`)
	check(dashboard.Next(pulsenode.Patience))
	n.MustPost("/api/v1/alarm", `{"alarmId":"a-1","businessType":"meter","businessId":"m-1","level":"critical","title":"Over-voltage","data":{"limit":250}}`)
	raised := check(console.Next(pulsenode.Patience))
	var alarm struct{ Data json.RawMessage }
	if err := json.Unmarshal(raised.Data, &alarm); err != nil || !bytes.HasPrefix(alarm.Data, []byte("{")) {
		t.Errorf("the alarm's data is not the object it was raised with: %s", raised.Raw)
	}
	n.MustPost("/api/v1/alarm", `{"alarmId":"a-2","businessType":"meter","businessId":"m-1","title":"no data"}`)
	check(console.Next(pulsenode.Patience))
	send(console, `{"type":"ack","alarmId":"a-1","user":"op","comment":"on it"}`)
	if o := check(console.Next(pulsenode.Patience)); o.Event != "acked" || !strings.Contains(string(o.Data), `"ackComment":"on it"`) {
		t.Fatalf("after an ack: %s", o.Raw)
	}
	for _, c := range []*pulsenode.Client{dashboard, console} {
		send(c, `{"type":"ping"}`)
		check(c.Next(pulsenode.Patience))
		c.Send(`nope`)
		check(c.Next(pulsenode.Patience))
		c.Send(`{"type":"subscribe"}`)
		check(c.Next(pulsenode.Patience))
	}
	// A notice to the dashboard's user, with data and without.
	n.MustPost("/api/v1/users/u/notices", `{"title":"yours","content":"c","level":"minor","data":{"alarmId":"a-1"},"businessType":"meter","businessId":"m-1"}`)
	check(dashboard.Next(pulsenode.Patience))
	n.MustPost("/api/v1/users/u/notices", `{"title":"bare","businessType":"meter","businessId":"m-1"}`)
	check(dashboard.Next(pulsenode.Patience))
	// A silence's events: silenced (the alarm's state carries the mark), unsilenced.
	sil := pulsenode.SilenceOf(t, n.MustPost("/api/v1/silences", `{"matchers":{"alarmIds":["a-2"]},"endsAt":99999999999999,"comment":"c"}`))
	if o := check(console.Next(pulsenode.Patience)); o.Event != "silenced" {
		t.Fatalf("after a silence: %s", o.Raw)
	}
	if code, env, _ := n.Call("DELETE", "/api/v1/silences/"+sil.ID, nil, ""); code != 200 {
		t.Fatalf("DELETE: %d %s", code, env.Message)
	}
	if o := check(console.Next(pulsenode.Patience)); o.Event != "unsilenced" {
		t.Fatalf("after a silence's end: %s", o.Raw)
	}
	send(console, `{"type":"ack","alarmId":"no-such-alarm","user":"op"}`)
	check(console.Next(pulsenode.Patience))
	send(console, `{"type":"clear","businessType":"meter","businessId":"m-1","alarmId":"a-2","user":"op","comment":"done"}`)
	if o := check(console.Next(pulsenode.Patience)); o.Event != "cleared" {
		t.Fatalf("after a clear: %s", o.Raw)
	}

	// A console resuming from a seq this store has not reached: reset, the state, synced.
	resumed, _, err := n.TryDial("/ws/alarm?since=1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	if o := check(resumed.Next(pulsenode.Patience)); o.Type != "reset" {
		t.Fatalf("since ahead of the store: %s, want reset first", o.Raw)
	}
	for check(resumed.Next(pulsenode.Patience)).Type != "synced" {
		// the state the console starts again from
	}

	// With auth on: a refresh's answer, and a refused refresh's error.
	a := pulsenode.StartAuth(t, nil)
	everything := pulsenode.Grants{Alarms: []string{"*"}, RowData: []string{"*"}}
	refreshed := a.DialWith("/ws/rowdata/meter/m-1/alice", pulsenode.Bearer(pulsenode.Token(t, "alice", everything)))
	send(refreshed, `{"type":"auth","token":"`+pulsenode.Token(t, "alice", everything)+`"}`)
	check(refreshed.Next(pulsenode.Patience))
	send(refreshed, `{"type":"auth","token":"`+pulsenode.Token(t, "mallory", everything)+`"}`)
	check(refreshed.Next(pulsenode.Patience))

	for typ := range server {
		if seen[typ] == 0 {
			t.Errorf("no %s message was checked", typ)
		}
	}
}

// TestSchemasRefuse: the schemas are not vacuous: a message that breaks the protocol fails them.
func TestSchemasRefuse(t *testing.T) {
	server := messageSchemas(t, "server", "rowdata", "alarm", "error", "pong")
	for _, bad := range []string{
		`{"type":"rowdata","ts":1,"data":{"businessType":"meter","businessId":"m-1","time":1}}`, // no data.data
		`{"type":"alarm","seq":0,"ts":1,"event":"raised","data":{}}`,                            // seq 0, an empty alarm
		`{"type":"alarm","seq":3,"ts":1,"event":"exploded","data":{}}`,                          // an unknown event
		`{"type":"error","code":"51","message":"x"}`,                                            // a code as a string
		`{"type":"pong","ts":1,"extra":true}`,                                                   // an undocumented field
	} {
		if conforms(t, server, []byte(bad)) == nil {
			t.Errorf("%s meets its schema", bad)
		}
	}
}
