// Package v1 defines the health endpoint.
package v1

import "github.com/gogf/gf/v2/frame/g"

// HealthzReq asks whether the process is alive and serving.
type HealthzReq struct {
	g.Meta `path:"/healthz" method:"get" tags:"Operations" summary:"Liveness" dc:"200 while the process serves, whatever its dependencies do."`
}

// HealthzRes reports the open connections of each endpoint, and which build is running.
type HealthzRes struct {
	Status      string         `json:"status" dc:"ok" eg:"ok"`
	Connections map[string]int `json:"connections" dc:"open WebSocket connections by endpoint (rowdata, alarm)"`
	Version     string         `json:"version" dc:"the running build, as pulse version prints it" eg:"v0.14.0"`
	Commit      string         `json:"commit" dc:"the git commit of the build" eg:"e68918d"`
}
