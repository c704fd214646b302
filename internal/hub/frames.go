package hub

import (
	"encoding/json"
	"strconv"
	"time"
)

// Error codes carried by outbound error objects. The numbers are GoFrame's gcode values for the
// same classes of fault, so HTTP and WebSocket clients see one table.
const (
	CodeInvalidMessage = 51 // invalid JSON, or a field of a known message is wrong
	CodeUnknownType    = 59 // a message type the server does not handle
	CodeNotFound       = 65 // the message names something that does not exist
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
