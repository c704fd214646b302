package notify

import (
	"context"
	"encoding/json"
)

// robotOutlet is an outlet that posts one JSON message per notification to one chat robot URL:
// Slack-compatible hooks, DingTalk, Feishu, WeCom. Each platform gives its render (the body,
// signed when the platform signs) and how it answers.
type robotOutlet struct {
	name, typ  string
	url        string                             // with the robot's secret in its path or query: never in an error or a log
	where      string                             // scheme://host
	render     func(n Notification) (any, string) // the body, and the URL to post it to
	reply      robotReply
	retryCodes map[int64]bool
}

func (o *robotOutlet) Name() string      { return o.name }
func (o *robotOutlet) Type() string      { return o.typ }
func (o *robotOutlet) Targets() []string { return []string{""} }

// Send posts n to the robot. The target is always "": a robot is one destination.
func (o *robotOutlet) Send(ctx context.Context, _ string, n Notification) error {
	body, u := o.render(n)
	raw, err := json.Marshal(body)
	if err != nil {
		return &SendError{Where: o.where, Reason: "cannot encode the message", Permanent: true}
	}
	return postRobot(ctx, u, o.where, raw, o.reply, o.retryCodes)
}

// checkRender renders a sample notification at start, so that a message that cannot be built
// is a refused configuration, never a failure at 3 a.m.
func checkRender(o *robotOutlet) error {
	body, _ := o.render(sampleNotification())
	_, err := json.Marshal(body)
	return err
}
