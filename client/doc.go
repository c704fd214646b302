// Package client is the Go client of Pulse's ingest API, for services that push row data and
// alarms into a Pulse server over HTTP (POST /api/v1/rowdata and /api/v1/alarm; docs/PROTOCOL.md
// §9). It imports only the standard library, so another module takes nothing else with it:
//
//	go get github.com/pulse-monitoring/pulse/client
//
// Before the repository is published, point the other module at a checkout of it:
//
//	go mod edit -require github.com/pulse-monitoring/pulse@v0.0.0 -replace github.com/pulse-monitoring/pulse=../pulse
//	go mod tidy
//
//	c, err := client.New("http://127.0.0.1:8000", client.WithIngestKey(os.Getenv("PULSE_INGEST_KEY")))
//	...
//	defer c.Close(context.Background())
//	err = c.SendRowDataBusinessData(ctx, client.BusinessData{
//		BusinessType: "meter", BusinessId: "m-001", Data: map[string]any{"voltage": 229.8},
//	})
//	err = c.SendAlarmBusinessData(ctx, client.AlarmBusinessData{
//		BusinessType: "meter", BusinessId: "m-001", Level: client.LevelCritical, Title: "Over-voltage",
//	})
//	var e *client.Error
//	if errors.As(err, &e) { // the server said no: e.Status, e.Code, e.Message
//	}
//
// The two Send functions mirror the server's in-process API (internal/service/ingest), with the
// same names and fields, so code moves between the two with its imports changed.
//
// # Notices to one user
//
// SendToUser sends a notice ("alarm a-17 is yours") to every open socket of one user, their
// dashboards and alarm consoles on every node (docs/PROTOCOL.md, "Notices to one user"):
//
//	err = c.SendToUser(ctx, "bob", client.Notice{Title: "Alarm a-17 is yours",
//		BusinessType: "meter", BusinessId: "m-001", Data: map[string]any{"alarmId": "a-17"}})
//
// The key needs "notice" in its allow and the business in its businesses (else 403); a user's
// token with "ack": true may be given to WithIngestKey instead, its alarms patterns covering the
// business. The answer is the same whether or not the user is connected, and a notice is not
// kept: it is sent now, whatever the batching, and a retry after a lost answer may deliver it twice.
//
// # Retries never double
//
// Each request carries an Idempotency-Key, a random UUID made once for it and sent again, with
// the same bytes, by every retry. A retry of a request the server already applied (the answer was
// lost with the connection, or the server died after its commit) gets the first answer again and
// applies nothing: an alarm is stored once, its count goes up once. Alarms' keys are kept in the
// alarm store, so this holds across restarts and nodes; row data's are kept in the memory of the
// node that answered (docs/PROTOCOL.md, "Retries: Idempotency-Key"). Without batching each alarm
// is its own request, so its own key; with batching a key is made per batch, once its items are
// fixed.
//
// A request is retried after a connection error, a 5xx, 408, 425 or 429, and 409 code 1411 (its
// own first copy still in flight), waiting an exponential back-off with jitter (RetryPolicy), or
// the server's Retry-After when that is longer; any other answer is final. The context of a send
// ends its retries and its waits.
//
// # Errors
//
// A refusal is an *Error with the HTTP status and the server's {code, message}
// (docs/PROTOCOL.md §11): 400 code 51 names the bad field (`level: must be one of ...`, or
// `items[3].level: ...` in a batch), 401 code 61 an unknown ingest key, 403 code 1403 a business the
// key does not cover, 429 code 1429 a key over its rate. A batch is all or nothing: one bad item
// refuses the whole of it. With batching, a batch that is not delivered is a *BatchError holding
// its items (and the *Error inside), given to the error handler or returned by Flush and Close.
//
// # Why hand-written
//
// Pulse had a client generated from its OpenAPI description (internal/apiclient, 3,661 lines of
// oapi-codegen output and a runtime dependency) that only one test used. An ingest service needs
// two calls, not the whole API, and what it needs most is what a generator does not give:
// retries that are safe, batching, typed errors. So this one is written by hand, small and
// without dependencies, and it replaces the generated one: there is one Go client. Its tests run
// it against a real server (a child process), including a server killed mid-batch.
package client
