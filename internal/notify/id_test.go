package notify

import (
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// TestIDIsStableAndDiffersByEveryField: the same key gives the same id; changing any one field
// gives another.
func TestIDIsStableAndDiffersByEveryField(t *testing.T) {
	base := Key{Route: "r", Step: "", Outlet: "o", Target: "", Alarm: model.AlarmKey{BusinessType: "meter", BusinessId: "m-1", AlarmId: "a"}, Seq: 7, Kind: "raised"}
	id := base.ID()
	if len(id) != 30 || id[:4] != "msg_" || base.ID() != id {
		t.Fatalf("%q", id)
	}
	for _, k := range []Key{
		{Route: "r2", Outlet: "o", Alarm: base.Alarm, Seq: 7, Kind: "raised"},
		{Route: "r", Step: "s", Outlet: "o", Alarm: base.Alarm, Seq: 7, Kind: "raised"},
		{Route: "r", Outlet: "o2", Alarm: base.Alarm, Seq: 7, Kind: "raised"},
		{Route: "r", Outlet: "o", Target: "t", Alarm: base.Alarm, Seq: 7, Kind: "raised"},
		{Route: "r", Outlet: "o", Alarm: model.AlarmKey{BusinessType: "meter", BusinessId: "m-2", AlarmId: "a"}, Seq: 7, Kind: "raised"},
		{Route: "r", Outlet: "o", Alarm: base.Alarm, Seq: 8, Kind: "raised"},
		{Route: "r", Outlet: "o", Alarm: base.Alarm, Seq: 7, Kind: "acked"},
	} {
		if k.ID() == id {
			t.Errorf("%+v has the id of %+v", k, base)
		}
	}
	// The documented derivation, by hand: a fixed key's id does not change between releases.
	if got := (Key{Route: "r", Outlet: "o", Alarm: model.AlarmKey{BusinessType: "t", BusinessId: "i", AlarmId: "a"}, Seq: 1, Kind: "raised"}).ID(); got != fixedID {
		t.Errorf("id %q, want %q", got, fixedID)
	}
}

// fixedID is computed independently (Python: hashlib.sha256, base64.b32encode, lower case).
const fixedID = "msg_cwd3qs44h7wje6yzkuuz3b5eu3"
