package notify

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
	"time"
	"unicode"
)

// robotClient posts to chat robots. It follows no redirect: a robot's URL holds its secret, and a
// redirect would carry the body somewhere the operator did not configure.
var robotClient = &http.Client{
	Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// robotURL checks a chat robot's URL at start and returns where it is, scheme://host, the only
// part of it an error may show.
func robotURL(raw string) (where string, err error) {
	if raw == "" {
		return "", errors.New("url is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// the parse error would repeat the URL, secret included
		return "", errors.New("url must be an absolute http(s) URL")
	}
	return u.Scheme + "://" + u.Host, nil
}

// robotAnswer is what a robot platform says in its JSON body. DingTalk and WeCom answer
// {"errcode":0,"errmsg":"ok"}; Feishu {"code":0,"msg":"success"} (older hooks
// {"StatusCode":0,"StatusMessage":"success"}). All of them answer HTTP 200 to a refused message
// too: the code tells.
type robotAnswer struct {
	Code    int64
	Message string
}

// robotReply reads a platform's answer from its body; ok is false when the body says nothing
// the platform would (a proxy's page, an empty body).
type robotReply func(body []byte) (a robotAnswer, ok bool)

// postRobot sends body to a chat robot and turns its answer into nil or a *SendError. u is the
// full URL (with its secret); where is scheme://host. reply reads the platform's code (nil: the
// HTTP status alone tells, as for Slack-compatible hooks); retryCodes are the codes that mean
// "too fast" or "busy", worth a retry; every other non-zero code is permanent.
func postRobot(ctx context.Context, u, where string, body []byte, reply robotReply, retryCodes map[int64]bool) error {
	err := sendRobot(ctx, u, where, body, reply, retryCodes)
	var e *SendError
	if errors.As(err, &e) {
		e.Reason = redactURL(e.Reason, u)
	}
	return err
}

func sendRobot(ctx context.Context, u, where string, body []byte, reply robotReply, retryCodes map[int64]bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return &SendError{Where: where, Reason: "bad request", Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Pulse")
	resp, err := robotClient.Do(req)
	if err != nil {
		return &SendError{Where: where, Reason: transportReason(err)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))

	if reply != nil {
		if a, ok := reply(raw); ok && a.Code != 0 {
			// Feishu answers a rate limit with HTTP 400 or 429 and its code; DingTalk and WeCom
			// with 200 and theirs. The code decides, whatever the status.
			e := &SendError{Status: resp.StatusCode, Where: where,
				Reason: fmt.Sprintf("code %d: %s", a.Code, shortText(a.Message))}
			e.Permanent = !retryCodes[a.Code] && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500
			e.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), time.Now())
			return e
		}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return robotStatusError(resp, where, raw)
}

// redactURL takes out of a receiver's words anything of the URL's path and query, should a
// platform or a proxy repeat them (a message like "invalid token abc…"): they hold the robot's
// secret, and reasons are shown to users.
func redactURL(reason, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return reason
	}
	parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	for _, vs := range u.Query() {
		parts = append(parts, vs...)
	}
	for _, p := range parts {
		if len(p) >= 16 { // robots' tokens are long (a UUID, 64 hex digits); "webhook" and "send" are words
			reason = strings.ReplaceAll(reason, p, "…")
		}
	}
	return reason
}

// robotStatusError is HTTPStatusError (the webhook's classification: 408, 425, 429 and 5xx
// retried, Retry-After on 429 and 503, 410 Gone, other 4xx permanent) for a robot, with two
// additions: a redirect is permanent (it is never followed, so retrying cannot help), and the
// receiver's word from a short plain-text body joins the reason (Slack says
// "channel_is_archived").
func robotStatusError(resp *http.Response, where string, body []byte) error {
	err := HTTPStatusError(resp, where)
	var e *SendError
	if !errors.As(err, &e) {
		return err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Permanent = true
	}
	if detail := shortText(string(body)); detail != "" && !strings.HasPrefix(detail, "<") && !strings.HasPrefix(detail, "{") {
		e.Reason += ": " + detail
	}
	return e
}

// transportReason says why nothing answered without the URL: a *url.Error repeats it whole.
func transportReason(err error) string {
	err = unwrapURLError(err)
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return shortText(err.Error())
}

// shortText is a receiver's message made safe to record: one line, printable, at most 120 runes.
func shortText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
	return oneLine(s, 120)
}

// jsonReply builds a robotReply for a platform whose answer has a numeric code and a message at
// the given keys; the first key found is used.
func jsonReply(codeKeys []string, msgKeys []string) robotReply {
	return func(body []byte) (robotAnswer, bool) {
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			return robotAnswer{}, false
		}
		var a robotAnswer
		found := false
		for _, k := range codeKeys {
			if v, ok := m[k]; ok && json.Unmarshal(v, &a.Code) == nil {
				found = true
				break
			}
		}
		for _, k := range msgKeys {
			if v, ok := m[k]; ok && json.Unmarshal(v, &a.Message) == nil {
				break
			}
		}
		return a, found
	}
}
