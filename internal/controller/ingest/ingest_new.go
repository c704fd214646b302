// Package ingest holds the HTTP handlers of the ingest API.
package ingest

import "github.com/pulse-monitoring/pulse/internal/service/ingest"

// ControllerV1 handles /api/v1 ingest.
type ControllerV1 struct {
	svc *ingest.Service
}

// NewV1 returns the controller over svc.
func NewV1(svc *ingest.Service) *ControllerV1 { return &ControllerV1{svc: svc} }
