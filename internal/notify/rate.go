package notify

// PlatformRate is the most a chat platform accepts from one robot, in notifications per second,
// as its documentation (or, where marked, its users) says; 0 when it publishes none. An outlet's
// `rate` is what the dispatcher keeps to (0 = unlimited), so an outlet to one of these platforms
// should set its `rate` at or below this figure: beyond it the platform refuses messages (DingTalk
// errcode 130101, WeCom 45009, Feishu 9499/11232, Slack HTTP 429), which are retried with back-off,
// but arrive late. The config check can warn when `rate` is 0 or above it.
func PlatformRate(outletType string) float64 {
	switch outletType {
	case "dingtalk":
		return 20.0 / 60 // "each robot sends at most 20 messages a minute" (custom robot docs)
	case "wecom":
		return 20.0 / 60 // "每个机器人发送的消息不能超过20条/分钟" (group robot docs)
	case "feishu":
		return 5 // custom bots: 100 a minute and 5 a second (Feishu's frequency control docs)
	case "slack":
		return 1 // "1 message per second" per incoming webhook, short bursts allowed (Slack rate limits)
	}
	return 0
}
