package hub

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/pulse-monitoring/pulse/internal/consts/errcode"
)

// Error codes the engine answers inbound messages with. Pulse numbers all its codes in one list,
// package errcode, so that HTTP and WebSocket clients see one table.
const (
	CodeInvalidMessage = errcode.InvalidInput // invalid JSON, or a field of a known message is wrong
	CodeUnknownType    = errcode.UnknownType  // a message type the server does not handle
)

// PongMessage encodes {"type":"pong","ts":...}.
func PongMessage(now time.Time) *Message {
	b := make([]byte, 0, 40)
	b = append(b, `{"type":"pong","ts":`...)
	b = strconv.AppendInt(b, now.UnixMilli(), 10)
	return NewMessage(append(b, '}'))
}

// ErrorMessage encodes {"type":"error","code":...,"message":...}.
func ErrorMessage(code int, text string) *Message {
	b, _ := json.Marshal(struct {
		Type    string `json:"type"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{"error", code, text})
	return NewMessage(b)
}
