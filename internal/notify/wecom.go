package notify

import (
	"fmt"
	"net/url"
)

// The wecom outlet posts to a WeCom (企业微信) group robot
// (https://developer.work.weixin.qq.com/document/path/91770): the robot's webhook URL,
// https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..., whose key is its only credential
// (WeCom robots do not sign). The message is msgtype markdown
// {"msgtype":"markdown","markdown":{"content"}}, content at most 4,096 bytes. WeCom answers HTTP
// 200 with {"errcode":0,"errmsg":"ok"}; another errcode is a refusal: 45009 (more than 20
// messages a minute) and -1 (busy) are retried, others (93000 a bad key) are permanent.
func init() { RegisterOutletType("wecom", newWeCom) }

// weComRetryCodes: -1 system busy; 45009 "api freq out of limit".
var weComRetryCodes = map[int64]bool{-1: true, 45009: true}

// WeCom's markdown content is limited to 4,096 bytes.
const weComContentBudget = 4096

func newWeCom(cfg OutletConfig) (Outlet, error) {
	where, err := robotURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if u, _ := url.Parse(cfg.URL); u.Query().Get("key") == "" {
		return nil, fmt.Errorf("url: a WeCom robot URL carries key in its query")
	}
	if cfg.Secret != "" {
		return nil, fmt.Errorf("secret: WeCom robots do not sign; the key in the URL is the secret")
	}
	o := &robotOutlet{name: cfg.Name, typ: "wecom", url: cfg.URL, where: where,
		reply: jsonReply([]string{"errcode"}, []string{"errmsg"}), retryCodes: weComRetryCodes}
	o.render = func(n Notification) (any, string) {
		m := newMessage(n)
		head := "### " + m.headline(escapeMarkdown) + "\n"
		return map[string]any{
			"msgtype":  "markdown",
			"markdown": map[string]string{"content": head + markdownBody(m, weComContentBudget-len(head))},
		}, o.url
	}
	return o, checkRender(o)
}
