package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// The dingtalk outlet posts to a DingTalk custom robot
// (https://open.dingtalk.com/document/robots/custom-robot-access): the robot's webhook URL,
// https://oapi.dingtalk.com/robot/send?access_token=..., and, when the robot's security setting
// is "加签" (sign), its secret "SEC...". The message is msgtype markdown
// {"msgtype":"markdown","markdown":{"title","text"}}. Signing, as the documentation gives it:
// timestamp = now in milliseconds; sign = urlEncode(base64(HmacSHA256(key = secret,
// message = timestamp + "\n" + secret))); both added to the URL's query as timestamp and sign.
// DingTalk answers HTTP 200 with {"errcode":0,"errmsg":"ok"}; any other errcode is a refusal:
// 130101 "send too fast, exceed 20 times per minute" and -1 (busy) are retried, others
// (a wrong token or signature, a keyword the robot requires) are permanent.
func init() { RegisterOutletType("dingtalk", newDingTalk) }

// dingTalkRetryCodes: -1 system busy; 130101 more than 20 messages a minute; 90030 "webhook over
// limit", the robot's quota of the period.
var dingTalkRetryCodes = map[int64]bool{-1: true, 130101: true, 90030: true}

// A robot message is limited to about 20,000 bytes (reported by users, not in the pages we
// read); 12,000 bytes of text keep well below it.
const dingTalkTextBudget = 12000

func newDingTalk(cfg OutletConfig) (Outlet, error) {
	where, err := robotURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(cfg.URL)
	if base.Query().Get("access_token") == "" {
		return nil, fmt.Errorf("url: a DingTalk robot URL carries access_token in its query")
	}
	o := &robotOutlet{name: cfg.Name, typ: "dingtalk", url: cfg.URL, where: where,
		reply: jsonReply([]string{"errcode"}, []string{"errmsg"}), retryCodes: dingTalkRetryCodes}
	secret := cfg.Secret
	o.render = func(n Notification) (any, string) {
		m := newMessage(n)
		body := map[string]any{
			"msgtype": "markdown",
			"markdown": map[string]string{
				"title": m.Headline(),
				"text":  "#### " + m.headline(escapeMarkdown) + "\n\n" + markdownBody(m, dingTalkTextBudget),
			},
		}
		if secret == "" {
			return body, o.url
		}
		u := *base
		q := u.Query()
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		q.Set("timestamp", ts)
		q.Set("sign", dingTalkSign(ts, secret)) // Query().Encode() url-encodes it, as the documentation asks
		u.RawQuery = q.Encode()
		return body, u.String()
	}
	return o, checkRender(o)
}

// dingTalkSign is base64(HmacSHA256(secret, timestamp + "\n" + secret)), before url-encoding.
func dingTalkSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
