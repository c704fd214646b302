package hub

import (
	"encoding/json"
	"fmt"
	"time"
)

// Inbound is one JSON object received from a client.
type Inbound struct {
	Type string
	Raw  []byte // the whole object, for handlers that decode their own fields
}

// Handler handles one inbound message type. It runs on the connection's reader, so it must
// not block for long; it answers through c.Send.
type Handler func(c *Conn, in Inbound)

// handlePing answers {"type":"ping"} (and the legacy {"heartbeat":true}).
func handlePing(c *Conn, _ Inbound) {
	c.Send(PongMessage(time.Now()))
}

// envelope holds the fields every inbound object is dispatched by.
type envelope struct {
	Type      string `json:"type"`
	Heartbeat bool   `json:"heartbeat"`
}

// dispatch routes one inbound text message to the handler registered for its type.
func (c *Conn) dispatch(data []byte) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		c.Send(ErrorMessage(CodeInvalidMessage, "invalid JSON: a message must be one JSON object with a \"type\""))
		return
	}
	if env.Type == "" && env.Heartbeat {
		env.Type = "ping"
	}
	h, ok := c.manager.handlers[env.Type]
	if !ok {
		c.Send(ErrorMessage(CodeUnknownType, fmt.Sprintf("unknown message type %q", env.Type)))
		return
	}
	h(c, Inbound{Type: env.Type, Raw: data})
}
