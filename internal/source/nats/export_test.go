package nats

import (
	"context"

	"github.com/pulse-monitoring/pulse/internal/brokerin"
)

// SetHandle replaces the core's Handle before Start: tests script the outcomes.
func (s *Source) SetHandle(h func(context.Context, brokerin.Message) brokerin.Outcome) { s.handle = h }

// VersionAtLeast is versionAtLeast, for its test.
var VersionAtLeast = versionAtLeast
