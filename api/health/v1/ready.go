package v1

import "github.com/gogf/gf/v2/frame/g"

// ReadyzReq asks whether the node can take traffic: its bus and its database answer.
type ReadyzReq struct {
	g.Meta `path:"/readyz" method:"get" errors:"503" tags:"Operations" summary:"Readiness: 503 while the bus or the database is down" dc:"200 when the bus and the alarm database answer; else 503 naming each failing dependency in message."`
}

// ReadyzRes reports each dependency as "ok" (a node that is not ready answers 503 with the reasons
// in message).
type ReadyzRes struct {
	Status string            `json:"status" dc:"ok" eg:"ok"`
	Checks map[string]string `json:"checks" dc:"each dependency (bus, database): ok or why not; jwks (with auth.jwt.jwksUrl): whether the signing keys can be fetched; mqtt (with ingest.mqtt.broker): whether its sessions are connected and subscribed; neither fails readiness"`
}
