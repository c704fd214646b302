package notify

import (
	"context"
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// Notification is what one outlet sends to one target: the alarms of one group (one alarm unless
// the route groups), in their latest state, for one kind of change. Its ID is the same on every
// attempt, so a receiver can deduplicate.
type Notification struct {
	ID        string            // "msg_" + 26 characters of base32(SHA-256(key)); webhook-id for webhooks
	Kind      string            // raised, repeated, reminder, escalated, acked, cleared, unsilenced, test
	Route     string            // the route's name ("" for a test)
	Step      string            // the escalation step's name ("" for the route's own outlets)
	Group     map[string]string // the groupBy fields' values of this group
	Alarms    []Alarm           // oldest first
	Timestamp time.Time         // when the notification was made (not when it is sent)
}

// Alarm is an alarm as a notification carries it: its state and, when ack links are on, the
// link that acknowledges it for this notification's recipient.
type Alarm struct {
	model.Alarm
	Seq    int64  `json:"seq"`
	AckURL string `json:"ackUrl,omitempty"`
}

// Outlet sends notifications to one configured destination (a webhook, a mailbox, a chat robot,
// a push service). It renders nothing it could fail on at send time that it could have checked
// at start: a template error is a refused configuration.
type Outlet interface {
	Name() string
	Type() string
	// Targets are the recipients a notification to this outlet goes to, each sent (and retried)
	// on its own: the email addresses of an email outlet, the devices of a push outlet; a URL
	// outlet has one target, "".
	Targets() []string
	// Send delivers n to target once. A failure is a *SendError when the receiver answered, so
	// the dispatcher can tell a retry from a permanent failure.
	Send(ctx context.Context, target string, n Notification) error
}

// SendError is a receiver's refusal. Its message names the scheme, host and status only: a chat
// robot's URL path and query hold its secret, and notification records are shown to users.
type SendError struct {
	Status     int           // HTTP status, or an SMTP reply code; 0 when nothing answered
	RetryAfter time.Duration // from Retry-After on 429 and 503; 0 when not given
	Permanent  bool          // retrying cannot help (a 4xx other than 408, 425, 429; a bad address)
	Gone       bool          // the target no longer exists (410, a push service's "unregistered")
	Where      string        // scheme://host of the receiver
	Reason     string        // a short reason without secrets ("503 Service Unavailable")
}

func (e *SendError) Error() string {
	if e.Where == "" {
		return e.Reason
	}
	return e.Where + ": " + e.Reason
}
