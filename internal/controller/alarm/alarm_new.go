// Package alarm holds the handlers of the alarm API: HTTP, and the ack message of alarm consoles.
package alarm

import "github.com/pulse-monitoring/pulse/internal/service/alarm"

// ControllerV1 handles /api/v1/alarms.
type ControllerV1 struct {
	svc *alarm.Service
}

// NewV1 returns the controller over svc.
func NewV1(svc *alarm.Service) *ControllerV1 { return &ControllerV1{svc: svc} }
