package client

import (
	"errors"
	"fmt"
	"time"
)

// Error is an answer of the server other than success: its HTTP status and the {code, message}
// of its body (docs/PROTOCOL.md §11). Code is 0 when the body was not Pulse's (a proxy's page).
type Error struct {
	Status  int
	Code    int
	Message string
	// RetryAfter is the wait the server asked for with Retry-After (429, 503); 0 when none.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("pulse: HTTP %d, code %d: %s", e.Status, e.Code, e.Message)
}

// BatchError is a batch that a batching client could not deliver: the items it held, none of
// which was accepted (a batch is all or nothing), and why (an *Error, a context's error, or the
// last connection error after the retries). A caller may correct and send the items again.
type BatchError struct {
	Rows   []BusinessData
	Alarms []AlarmBusinessData
	Err    error
}

func (e *BatchError) Error() string {
	if len(e.Alarms) > 0 {
		return fmt.Sprintf("pulse: a batch of %d alarms was not delivered: %v", len(e.Alarms), e.Err)
	}
	return fmt.Sprintf("pulse: a batch of %d row-data items was not delivered: %v", len(e.Rows), e.Err)
}

func (e *BatchError) Unwrap() error { return e.Err }

// ErrClosed is returned by a send after Close.
var ErrClosed = errors.New("pulse: client closed")
