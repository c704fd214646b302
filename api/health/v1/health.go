// Package v1 defines the health endpoint.
package v1

import "github.com/gogf/gf/v2/frame/g"

// HealthzReq asks whether the process is alive and serving.
type HealthzReq struct {
	g.Meta `path:"/healthz" method:"get" tags:"Operations" summary:"Liveness"`
}

// HealthzRes reports the open connections of each endpoint, and which build is running.
type HealthzRes struct {
	Status      string         `json:"status"`
	Connections map[string]int `json:"connections"`
	Version     string         `json:"version"` // as `pulse version` prints it
	Commit      string         `json:"commit"`
}
