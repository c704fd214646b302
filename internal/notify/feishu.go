package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// The feishu outlet posts to a Feishu (Lark) custom bot
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): the bot's webhook URL,
// https://open.feishu.cn/open-apis/bot/v2/hook/<token> (Lark: open.larksuite.com), and, when the
// bot's security setting is "签名校验" (signature), its secret. The message is an interactive
// card {"msg_type":"interactive","card":{header, elements}} with the alarms in lark_md and a
// button per ack link. Signing, as the documentation gives it: timestamp = now in seconds; the
// string timestamp + "\n" + secret is the HmacSHA256 *key*, the message signed is empty;
// sign = base64 of it; timestamp and sign go in the JSON body. Feishu answers {"code":0,...}
// (older hooks {"StatusCode":0,...}); another code is a refusal: 9499 and 11232 (too many
// requests) are retried, others (19021 bad signature or stale timestamp, 19024 IP not allowed)
// are permanent.
func init() { RegisterOutletType("feishu", newFeishu) }

// feishuRetryCodes: 9499 "Too Many Request"; 11232 the message service's rate limit.
var feishuRetryCodes = map[int64]bool{9499: true, 11232: true}

// A custom bot's request body is limited to 20 KB; 12,000 bytes of lark_md leave room for the
// card around them and for JSON's escapes.
const feishuTextBudget = 12000

func newFeishu(cfg OutletConfig) (Outlet, error) {
	where, err := robotURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	o := &robotOutlet{name: cfg.Name, typ: "feishu", url: cfg.URL, where: where,
		reply: jsonReply([]string{"code", "StatusCode"}, []string{"msg", "StatusMessage"}), retryCodes: feishuRetryCodes}
	secret := cfg.Secret
	o.render = func(n Notification) (any, string) {
		body := map[string]any{"msg_type": "interactive", "card": feishuCard(newMessage(n))}
		if secret != "" {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			body["timestamp"] = ts
			body["sign"] = feishuSign(ts, secret)
		}
		return body, o.url
	}
	return o, checkRender(o)
}

// feishuSign is base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")).
func feishuSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// feishuTemplate is the card header's color for the most severe level.
func feishuTemplate(m message) string {
	switch m.Level {
	case model.LevelCritical:
		return "red"
	case model.LevelMajor:
		return "orange"
	case model.LevelMinor:
		return "yellow"
	case model.LevelInfo:
		return "blue"
	}
	if m.Kind == "cleared" || m.Kind == "acked" {
		return "green"
	}
	return "grey"
}

func feishuCard(m message) map[string]any {
	elements := []any{map[string]any{
		"tag":  "div",
		"text": map[string]string{"tag": "lark_md", "content": markdownBody(m, feishuTextBudget)},
	}}
	// One button per ack link of the first alarms: the card's own buttons read better than a
	// link on a phone. Feishu shows at most a few in a row.
	var actions []any
	for _, a := range m.Alarms {
		if a.AckURL == "" || len(actions) == 5 {
			continue
		}
		label := a.AckLabel
		if len(m.Alarms) > 1 {
			label += " " + oneLine(a.Title, 24)
		}
		actions = append(actions, map[string]any{
			"tag":  "button",
			"text": map[string]string{"tag": "plain_text", "content": label},
			"url":  a.AckURL,
			"type": "primary",
		})
	}
	if len(actions) > 0 {
		elements = append(elements, map[string]any{"tag": "action", "actions": actions})
	}
	return map[string]any{
		"config": map[string]bool{"wide_screen_mode": true},
		"header": map[string]any{
			"title":    map[string]string{"tag": "plain_text", "content": m.Headline()},
			"template": feishuTemplate(m),
		},
		"elements": elements,
	}
}
