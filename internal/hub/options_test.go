package hub

import (
	"testing"
	"time"
)

func TestWithDefaults(t *testing.T) {
	d := DefaultOptions()
	set := Options{
		MaxMessageSize: 1, PingInterval: 2, PongTimeout: 3, WriteTimeout: 4, SendQueue: 5,
		CloseGrace: 6, WriteDelay: 7, MessageTimeout: 8, InboundRate: 9, Overflow: CloseSlow,
		SnapshotSize: 10, SnapshotMemory: 11, HistoryPoints: 12, HistoryWindow: 13,
	}
	cases := []struct {
		name     string
		in, want Options
	}{
		{"zero gets the defaults", Options{}, d},
		{"negative gets the defaults", Options{
			MaxMessageSize: -1, PingInterval: -1, PongTimeout: -1, WriteTimeout: -1, SendQueue: -1,
			CloseGrace: -1, MessageTimeout: -1, SnapshotMemory: -1, HistoryWindow: -1,
		}, d},
		{"set values are kept", set, set},
	}
	for _, tc := range cases {
		if got := tc.in.withDefaults(); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	// 0 turns these off: the engine does not turn them on behind its user's back.
	if d.WriteDelay != 0 || d.InboundRate != 0 || d.SnapshotSize != 0 || d.HistoryPoints != 0 {
		t.Errorf("DefaultOptions turns on what 0 turns off: %+v", d)
	}
}

func TestPositiveOr(t *testing.T) {
	for _, tc := range []struct{ v, def, want time.Duration }{
		{0, 5, 5}, {-1, 5, 5}, {1, 5, 1}, {7, 5, 7},
	} {
		if got := positiveOr(tc.v, tc.def); got != tc.want {
			t.Errorf("positiveOr(%v, %v) = %v, want %v", tc.v, tc.def, got, tc.want)
		}
	}
}
