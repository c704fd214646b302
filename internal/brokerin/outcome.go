package brokerin

import (
	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts/errcode"
)

// Verdict is what the source does with a message.
type Verdict int

// The verdicts.
const (
	// Done: published (row data) or committed (alarms), or an eventId's repeat: acknowledge.
	Done Verdict = iota
	// Refused: the message can never be published (bad JSON, an invalid item, a business the
	// source may not publish): counted, logged, and acknowledged so that it is not redelivered
	// forever; a source may copy it to a dead-letter subject first.
	Refused
	// Retry: the store or the bus cannot take it now (503), or the same eventId is being handled:
	// do not acknowledge; the broker (or the source) delivers it again.
	Retry
)

func (v Verdict) String() string {
	return [...]string{"done", "refused", "retry"}[v]
}

// Refusal reasons, the values of the metrics' reason label.
const (
	ReasonTooLarge = "too_large"      // over ingest.maxBodySize
	ReasonInvalid  = "invalid"        // bad JSON, an invalid item or eventId
	ReasonTopic    = "topic"          // the payload names another business than the topic
	ReasonReserved = "reserved"       // the business type "pulse"
	ReasonScope    = "scope"          // outside the source's businesses
	ReasonReused   = "eventid_reused" // an eventId already used for another message
)

// Reasons lists every refusal reason, for metrics that show each from the start.
var Reasons = []string{ReasonTooLarge, ReasonInvalid, ReasonTopic, ReasonReserved, ReasonScope, ReasonReused}

// Outcome is what became of a message.
type Outcome struct {
	Verdict  Verdict
	Reason   string // a Reason*, when Refused
	Err      error  // why, when Refused or Retry
	Replayed bool   // Done: an eventId's repeat, nothing published again
}

func refuse(reason string, err error) Outcome {
	return Outcome{Verdict: Refused, Reason: reason, Err: err}
}

// classify turns the ingest service's answer into an outcome: what HTTP answers 4xx is refused
// (it would be refused again), what it answers 503 or 409 "in flight" is retried, as is anything
// else (an internal fault is not the message's).
func classify(err error, replayed bool) Outcome {
	if err == nil {
		return Outcome{Verdict: Done, Replayed: replayed}
	}
	switch gerror.Code(err).Code() {
	case errcode.InvalidInput, errcode.BodyTooLarge:
		return refuse(ReasonInvalid, err)
	case errcode.Forbidden, errcode.NotAuthorized:
		return refuse(ReasonScope, err)
	case errcode.KeyReused:
		return refuse(ReasonReused, err)
	}
	return Outcome{Verdict: Retry, Err: err}
}
