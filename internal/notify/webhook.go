package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func init() { RegisterOutletType("webhook", NewWebhook) }

// Webhook posts notifications as JSON signed per Standard Webhooks
// (https://www.standardwebhooks.com): headers webhook-id (the notification's id), webhook-timestamp
// (Unix seconds) and webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>", one per
// secret, space-separated, so a receiver keeps verifying during a rotation).
type Webhook struct {
	name    string
	url     string
	where   string   // scheme://host, for errors
	secrets [][]byte // decoded; the first is the current one
	client  *http.Client
}

// NewWebhook builds a webhook outlet: url (http or https) and secrets ("whsec_<base64>", at least
// one: an unsigned webhook cannot be told from a forged one).
func NewWebhook(cfg OutletConfig) (Outlet, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("url: is not an http or https URL")
	}
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("secrets: is missing: at least one \"whsec_<base64>\" secret signs the webhook (openssl rand -base64 32, prefixed whsec_)")
	}
	w := &Webhook{name: cfg.Name, url: cfg.URL, where: u.Scheme + "://" + u.Host,
		client: &http.Client{Timeout: 10 * time.Second, Transport: keepAlive(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for i, s := range cfg.Secrets {
		b, err := DecodeWebhookSecret(s)
		if err != nil {
			return nil, fmt.Errorf("secrets[%d]: %v", i, err)
		}
		w.secrets = append(w.secrets, b)
	}
	return w, nil
}

// DecodeWebhookSecret reads a Standard Webhooks secret: "whsec_" and the key in base64.
func DecodeWebhookSecret(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return nil, errors.New("is not a Standard Webhooks secret: it starts with \"whsec_\"")
	}
	b, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(b) < 24 || len(b) > 64 {
		return nil, errors.New("is not \"whsec_\" and 24 to 64 bytes in base64")
	}
	return b, nil
}

func (w *Webhook) Name() string      { return w.name }
func (w *Webhook) Type() string      { return "webhook" }
func (w *Webhook) Targets() []string { return []string{""} }

// WebhookBody is what a webhook receives.
type WebhookBody struct {
	Type      string      `json:"type"`      // alarm.<kind>
	Timestamp string      `json:"timestamp"` // RFC 3339: when the notification was made
	Data      WebhookData `json:"data"`
}

// WebhookData is the body's data: the route (and step) that sent it, the group, the alarms.
type WebhookData struct {
	ID     string            `json:"id"`
	Route  string            `json:"route"`
	Step   string            `json:"step,omitempty"`
	Group  map[string]string `json:"group"`
	Alarms []Alarm           `json:"alarms"`
}

// Body is n as a webhook sends it.
func Body(n Notification) ([]byte, error) {
	group := n.Group
	if group == nil {
		group = map[string]string{}
	}
	return json.Marshal(WebhookBody{Type: "alarm." + n.Kind, Timestamp: n.Timestamp.UTC().Format(time.RFC3339Nano),
		Data: WebhookData{ID: n.ID, Route: n.Route, Step: n.Step, Group: group, Alarms: n.Alarms}})
}

// Sign is the webhook-signature header of body sent with id at ts, one "v1,<base64>" per secret.
func Sign(secrets [][]byte, id string, ts int64, body []byte) string {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		mac := hmac.New(sha256.New, s)
		mac.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// Send posts n once.
func (w *Webhook) Send(ctx context.Context, _ string, n Notification) error {
	body, err := Body(n)
	if err != nil {
		return &SendError{Permanent: true, Where: w.where, Reason: "encoding the body: " + err.Error()}
	}
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return &SendError{Permanent: true, Where: w.where, Reason: "bad request"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Pulse")
	req.Header.Set("webhook-id", n.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", Sign(w.secrets, n.ID, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return &SendError{Where: w.where, Reason: CutError(unwrapURLError(err))}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return HTTPStatusError(resp, w.where)
}

// unwrapURLError drops *url.Error's method and URL, which hold the path.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// HTTPStatusError is nil for a 2xx answer, else the SendError it makes: 429 and 503 with their
// Retry-After, other 4xx than 408, 425 and 429 permanent, 410 gone. Chat robots' outlets use it too.
func HTTPStatusError(resp *http.Response, where string) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &SendError{Status: resp.StatusCode, Where: where, Reason: strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)}
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests || c == http.StatusServiceUnavailable:
		e.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case c == http.StatusGone:
		e.Gone, e.Permanent = true, true
	case c == http.StatusRequestTimeout || c == http.StatusTooEarly:
	case c >= 400 && c < 500:
		e.Permanent = true
	}
	return e
}

// RetryAfter reads a Retry-After header: seconds, or an HTTP date. 0 when absent or unreadable;
// at most a day.
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(h); err == nil {
		d = time.Duration(max(n, 0)) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), 24*time.Hour)
}

// keepAlive is a transport that keeps as many connections to a receiver open as the dispatcher
// sends to it at once (net/http keeps 2), so that a busy outlet does not dial for every request.
func keepAlive() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}
