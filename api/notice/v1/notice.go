// Package v1 defines the notice API: a message to one user's open sockets.
package v1

import (
	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// SendReq sends a notice to one user. The body is model.Notice, decoded strictly by the handler.
type SendReq struct {
	g.Meta `path:"/users/{user}/notices" method:"post" credential:"ingestKeyOrToken" mime:"application/json" bodyRequired:"true" errors:"400,403,503" tags:"Notices" summary:"Send a notice to one user" dc:"Every open socket of the user (dashboards and alarm consoles, on every node) whose patterns cover the notice's business receives {\"type\":\"notice\",\"ts\":...,\"data\":{\"user\",\"from\",\"title\",\"content\",\"level\",\"data\",\"businessType\",\"businessId\"}}. With auth on the sender is an ingest key whose allow has \"notice\", or a token with \"ack\": true; the business must be within the key's businesses or the token's alarms patterns (else 403). The answer is the same whether or not the user is connected: it never says who is online. A notice is not kept: a user who is not connected does not get it later."`
	User   string `json:"user" in:"path" v:"required" dc:"the receiver: a token's sub (auth on); the userName of a dashboard or the user query parameter of an alarm console (auth off)" eg:"bob"`
}

// Bodies is the body's only form.
func (SendReq) Bodies() []any { return []any{model.Notice{}} }

// SendRes is empty: the notice was sent (whether anyone received it is not told).
type SendRes struct{}
