package nats_test

import (
	"testing"

	natssource "github.com/pulse-monitoring/pulse/internal/source/nats"
)

// TestVersionAtLeast: a termination's reason is sent only to servers that keep it (2.10.4 and
// later); an older server would take the message for unacknowledged and redeliver it.
func TestVersionAtLeast(t *testing.T) {
	for v, want := range map[string]bool{"2.10.4": true, "2.10.3": false, "2.9.10": false, "2.11.0-beta.1": true,
		"3.0.0": true, "1.99.99": false, "": false, "2.10": false, "x.y.z": false} {
		if got := natssource.VersionAtLeast(v, 2, 10, 4); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}
