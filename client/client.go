package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client sends row data and alarms to one Pulse server (or a load balancer in front of several).
// It is safe for concurrent use. Close it when done: with batching on, Close sends what is
// buffered.
type Client struct {
	base      string // the server's URL without a trailing slash, e.g. http://127.0.0.1:8000
	ingestKey string
	http      *http.Client
	retry     RetryPolicy
	onError   func(error)

	batchSize     int
	batchInterval time.Duration
	rows          *batcher[BusinessData]
	alarms        *batcher[AlarmBusinessData]

	// ctx is the context of the batches sent in the background; Close cancels it when its own
	// context ends before they are delivered.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	failed  []error // batch failures not yet returned by Flush or Close (without an error handler)
	dropped int     // failures beyond maxKeptFailures, counted only
}

// Option configures a Client.
type Option func(*Client) error

// WithIngestKey sends key with every request as Authorization: Bearer <key>, how the server takes
// an ingest key when auth is on (docs/PROTOCOL.md §15, "Ingest keys"). With auth off it is not
// needed.
func WithIngestKey(key string) Option {
	return func(c *Client) error {
		if key == "" || strings.ContainsAny(key, "\r\n") {
			return errors.New("pulse: the ingest key must be one non-empty line")
		}
		c.ingestKey = key
		return nil
	}
}

// WithHTTPClient sends the requests with h (its Timeout bounds each attempt; its Transport may set
// TLS, proxies). The default is an http.Client with a 30 s timeout per attempt.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return errors.New("pulse: WithHTTPClient(nil)")
		}
		c.http = h
		return nil
	}
}

// WithRetry replaces DefaultRetryPolicy. RetryPolicy{MaxAttempts: 1} never retries.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MinDelay < 0 || p.MaxDelay < p.MinDelay {
			return errors.New("pulse: a retry policy needs 0 <= MinDelay <= MaxDelay")
		}
		c.retry = p
		return nil
	}
}

// WithBatching makes SendRowDataBusinessData and SendAlarmBusinessData buffer their item and
// return: a batch of up to size items (1 to 1000; and at most 1 MiB of JSON, the server's
// default ingest.maxBodySize) is sent once it is full, or every interval, or on Flush or Close. Row data and alarms are batched apart, each kind sent in
// the order it was given, one batch at a time. A batch that fails after its retries is reported
// as a *BatchError to the error handler (WithErrorHandler), or else by the next Flush or Close.
// When more than 4 batches' worth of items wait, a send waits for room (or for its context).
func WithBatching(size int, interval time.Duration) Option {
	return func(c *Client) error {
		if size < 1 || size > maxItems {
			return fmt.Errorf("pulse: a batch holds 1 to %d items, not %d", maxItems, size)
		}
		if interval <= 0 {
			return errors.New("pulse: the batch interval must be positive")
		}
		c.batchSize, c.batchInterval = size, interval
		return nil
	}
}

// WithErrorHandler has the batches that could not be delivered (a *BatchError each) reported to
// handle, called from the client's own goroutine, instead of kept for Flush and Close.
func WithErrorHandler(handle func(error)) Option {
	return func(c *Client) error {
		c.onError = handle
		return nil
	}
}

// maxItems is the most items the server takes in one request.
const maxItems = 1000

// maxKeptFailures bounds the failures kept for Flush when nobody collects them.
const maxKeptFailures = 1000

// New returns a client of the server at baseURL (http:// or https://, e.g.
// "http://127.0.0.1:8000"; a path prefix is kept, for a server behind a proxy).
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("pulse: the server's URL must be http(s)://host[:port][/prefix], got %q", baseURL)
	}
	c := &Client{
		base:  strings.TrimSuffix(u.String(), "/"),
		http:  &http.Client{Timeout: 30 * time.Second},
		retry: DefaultRetryPolicy,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if c.batchSize > 0 {
		c.rows = newBatcher[BusinessData](c, func(ctx context.Context, body []byte) error {
			return c.post(ctx, rowDataPath, body, nil)
		})
		c.alarms = newBatcher[AlarmBusinessData](c, func(ctx context.Context, body []byte) error {
			return c.post(ctx, alarmPath, body, nil)
		})
	}
	return c, nil
}

// The ingest endpoints (docs/PROTOCOL.md §9).
const (
	rowDataPath = "/api/v1/rowdata"
	alarmPath   = "/api/v1/alarm"
)

// SendRowDataBusinessData publishes one row-data item to the dashboards that follow its business.
// Without batching it returns once the server accepted it (or with why not: an *Error for a
// refusal); with batching once it is buffered.
func (c *Client) SendRowDataBusinessData(ctx context.Context, data BusinessData) error {
	if c.rows != nil {
		enc, err := encodeItem(data)
		if err != nil {
			return err
		}
		return c.rows.add(ctx, data, enc)
	}
	_, err := c.SendRowData(ctx, data)
	return err
}

// SendAlarmBusinessData stores an alarm and sends it to every alarm console. Without batching it
// returns once the server committed it (or with why not: an *Error for a refusal); with batching
// once it is buffered. Retries never store it twice: see the package documentation.
func (c *Client) SendAlarmBusinessData(ctx context.Context, alarm AlarmBusinessData) error {
	if c.alarms != nil {
		enc, err := encodeItem(alarm)
		if err != nil {
			return err
		}
		return c.alarms.add(ctx, alarm, enc)
	}
	_, err := c.SendAlarms(ctx, alarm)
	return err
}

// SendRowData publishes 1 to 1000 items in one request now, whatever the batching: all are
// accepted or none. It returns how many the server accepted.
func (c *Client) SendRowData(ctx context.Context, items ...BusinessData) (int, error) {
	if c.isClosed() {
		return 0, ErrClosed
	}
	body, err := encodeBody(items)
	if err != nil {
		return 0, err
	}
	var res struct {
		Accepted int `json:"accepted"`
	}
	if err := c.post(ctx, rowDataPath, body, &res); err != nil {
		return 0, err
	}
	return res.Accepted, nil
}

// SendAlarms stores 1 to 1000 alarms in one request now, whatever the batching: all are
// committed or none. It returns the server's receipt of each, in order: the alarm's id (the
// server's choice when none was given) and the seq of its event.
func (c *Client) SendAlarms(ctx context.Context, alarms ...AlarmBusinessData) ([]AlarmReceipt, error) {
	if c.isClosed() {
		return nil, ErrClosed
	}
	body, err := encodeBody(alarms)
	if err != nil {
		return nil, err
	}
	var res struct {
		Items []AlarmReceipt `json:"items"`
	}
	if err := c.post(ctx, alarmPath, body, &res); err != nil {
		return nil, err
	}
	return res.Items, nil
}

// SendToUser sends a notice to every open socket of user (their dashboards and alarm consoles,
// on every node) whose patterns cover the notice's business, now, whatever the batching. The
// answer is the same whether or not the user is connected; a notice is not kept for later. The
// credential (WithIngestKey) is an ingest key whose allow has "notice", or a user's token with
// "ack": true; the notice's business must be within its businesses (a key) or alarms patterns (a
// token), else an *Error with status 403. A retry after a lost answer may deliver it twice.
func (c *Client) SendToUser(ctx context.Context, user string, notice Notice) error {
	if c.isClosed() {
		return ErrClosed
	}
	if user == "" {
		return errors.New("pulse: SendToUser needs a user name")
	}
	body, err := json.Marshal(notice)
	if err != nil {
		return fmt.Errorf("pulse: notice: %w", err)
	}
	return c.post(ctx, "/api/v1/users/"+url.PathEscape(user)+"/notices", body, nil)
}

// Flush sends what the batching buffers hold and waits until every item given before it was
// delivered or failed. It returns the batches that failed since the previous Flush (each a
// *BatchError, joined), unless an error handler took them, or ctx's error. Without batching it
// does nothing.
func (c *Client) Flush(ctx context.Context) error {
	if c.rows != nil {
		if err := c.rows.flush(ctx); err != nil {
			return err
		}
		if err := c.alarms.flush(ctx); err != nil {
			return err
		}
	}
	return c.takeFailures()
}

// Close sends what is buffered, waiting at most until ctx ends (then the batches left fail with
// ctx's error), and stops the client: a send after it returns ErrClosed. It returns what Flush
// would.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	var flushErr error
	if c.rows != nil {
		stop := context.AfterFunc(ctx, c.cancel) // abandon the retries once ctx ends
		c.rows.close()
		c.alarms.close()
		stop()
		if ctx.Err() != nil {
			flushErr = ctx.Err()
		}
	}
	c.cancel()
	c.http.CloseIdleConnections()
	return errors.Join(flushErr, c.takeFailures())
}

// isClosed says whether Close was called.
func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// fail reports a batch that could not be delivered.
func (c *Client) fail(err error) {
	if c.onError != nil {
		c.onError(err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.failed) < maxKeptFailures {
		c.failed = append(c.failed, err)
	} else {
		c.dropped++
	}
}

// takeFailures returns the failures kept so far, joined, and forgets them.
func (c *Client) takeFailures() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	errs := c.failed
	if c.dropped > 0 {
		errs = append(errs, fmt.Errorf("pulse: and %d more batches were not delivered", c.dropped))
	}
	c.failed, c.dropped = nil, 0
	return errors.Join(errs...)
}

// post sends body to path, retrying as the policy says with one Idempotency-Key for every attempt
// (made once here, so the retries of this request are repeats the server answers once), and
// decodes the data of the answer into out (when not nil).
func (c *Client) post(ctx context.Context, path string, body []byte, out any) error {
	key := newIdempotencyKey()
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, path, body, key, out)
		if err == nil {
			return nil
		}
		if !retryable(ctx, err) || (c.retry.MaxAttempts > 0 && attempt >= c.retry.MaxAttempts) {
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				return fmt.Errorf("%w (last attempt: %v)", ctx.Err(), err)
			}
			return err
		}
		wait := c.retry.delay(attempt)
		var e *Error
		if errors.As(err, &e) && e.RetryAfter > wait {
			wait = e.RetryAfter
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (last attempt: %v)", serr, err)
		}
	}
}

// maxAnswer bounds what is read of an answer: Pulse's are small.
const maxAnswer = 1 << 20

// once is one attempt: the answer's data into out, or an *Error for any answer but success, or the
// connection's error.
func (c *Client) once(ctx context.Context, path string, body []byte, key string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if c.ingestKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.ingestKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err // a cut answer: not known whether it was applied, so it is retried
	}
	var env struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	decoded := json.Unmarshal(raw, &env) == nil
	if resp.StatusCode == http.StatusOK && decoded && env.Code == 0 {
		if out != nil && len(env.Data) > 0 {
			if err := json.Unmarshal(env.Data, out); err != nil {
				return &Error{Status: resp.StatusCode, Message: fmt.Sprintf("the answer's data does not read: %v", err)}
			}
		}
		return nil
	}
	e := &Error{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	if decoded && (env.Code != 0 || env.Message != "") {
		e.Code, e.Message = env.Code, env.Message
	} else {
		e.Message = strings.TrimSpace(string(raw))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "..."
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	return e
}

// encodeItem is one item's JSON.
func encodeItem(item any) ([]byte, error) {
	enc, err := json.Marshal(item)
	if err != nil {
		return nil, fmt.Errorf("pulse: the item does not encode as JSON: %w", err)
	}
	return enc, nil
}

// encodeBody is the body of a request for items: the object itself for one, {"items":[...]} for
// more.
func encodeBody[T any](items []T) ([]byte, error) {
	if len(items) == 0 || len(items) > maxItems {
		return nil, fmt.Errorf("pulse: a request holds 1 to %d items, got %d", maxItems, len(items))
	}
	encoded := make([][]byte, len(items))
	for i, item := range items {
		enc, err := encodeItem(item)
		if err != nil {
			return nil, err
		}
		encoded[i] = enc
	}
	return joinItems(encoded), nil
}

// joinItems is the body of encoded items.
func joinItems(encoded [][]byte) []byte {
	if len(encoded) == 1 {
		return encoded[0]
	}
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	for i, enc := range encoded {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(enc)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}
