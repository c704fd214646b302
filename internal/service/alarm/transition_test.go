package alarm

import (
	"encoding/json"
	"testing"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
)

func TestApplyIsTheAlarmLifecycle(t *testing.T) {
	const now = 5000
	a := model.AlarmKey{BusinessType: "m", BusinessId: "m-1", AlarmId: "a"}
	raise := func(at int64) *op {
		return &op{kind: opRaise, key: a, raise: model.AlarmBusinessData{AlarmId: "a", BusinessType: "m", BusinessId: "m-1", Title: "new", Time: at}}
	}
	ack := &op{kind: opAck, key: a, user: "bob"}
	clear := &op{kind: opClear, key: a, user: "carl"}
	sourceClear := &op{kind: opClear, key: a, user: "meter-collector", source: true}
	outside := model.ScopeOf([]model.Pattern{{Type: "pump", ID: model.Wildcard}})
	ackOutside := &op{kind: opAck, key: a, user: "bob", scope: outside}
	clearOutside := &op{kind: opClear, key: a, user: "bob", scope: outside}
	// old is the alarm as raised twice, at 100 and 200, with status and ack as given.
	old := func(status, ackedBy string, ackTime int64) *model.Alarm {
		return &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{AlarmId: "a", BusinessType: "m", BusinessId: "m-1", Title: "old", Time: 200},
			Status: status, Count: 2, FirstTime: 100, LastTime: 200, AckedBy: ackedBy, AckTime: ackTime}
	}
	// cleared is old, cleared by who at when.
	cleared := func(ackedBy string, ackTime int64, who string, when int64) *model.Alarm {
		c := old(model.StatusCleared, ackedBy, ackTime)
		c.ClearedBy, c.ClearTime = who, when
		return c
	}
	for _, tc := range []struct {
		name  string
		cur   *model.Alarm
		op    *op
		want  *model.Alarm // nil when the op fails
		event string
		code  int // the error's code when the op fails, else 0
	}{
		{"raise new", nil, raise(300),
			&model.Alarm{AlarmBusinessData: raise(300).raise, Status: model.StatusActive, Count: 1, FirstTime: 300, LastTime: 300},
			model.EventRaised, 0},
		{"raise active repeats", old(model.StatusActive, "", 0), raise(300),
			&model.Alarm{AlarmBusinessData: raise(300).raise, Status: model.StatusActive, Count: 3, FirstTime: 100, LastTime: 300},
			model.EventRepeated, 0},
		{"raise acked repeats and keeps the ack", old(model.StatusAcked, "ann", 250), raise(300),
			&model.Alarm{AlarmBusinessData: raise(300).raise, Status: model.StatusAcked, Count: 3, FirstTime: 100, LastTime: 300,
				AckedBy: "ann", AckTime: 250},
			model.EventRepeated, 0},
		{"raise cleared raises again, counting on, forgetting the ack and the clear", cleared("ann", 250, "carl", 260), raise(300),
			&model.Alarm{AlarmBusinessData: raise(300).raise, Status: model.StatusActive, Count: 3, FirstTime: 100, LastTime: 300},
			model.EventRaised, 0},
		{"ack active", old(model.StatusActive, "", 0), ack, old(model.StatusAcked, "bob", now), model.EventAcked, 0},
		{"ack acked changes nothing", old(model.StatusAcked, "ann", 250), ack, old(model.StatusAcked, "ann", 250), "", 0},
		{"ack cleared conflicts", cleared("", 0, "carl", 260), ack, nil, "", consts.CodeConflict.Code()},
		{"ack unknown", nil, ack, nil, "", consts.CodeNotFound.Code()},
		{"clear active records who and when", old(model.StatusActive, "", 0), clear, cleared("", 0, "carl", now), model.EventCleared, 0},
		{"clear acked keeps the ack", old(model.StatusAcked, "ann", 250), clear, cleared("ann", 250, "carl", now), model.EventCleared, 0},
		{"clear cleared changes nothing", cleared("", 0, "dan", 260), clear, cleared("", 0, "dan", 260), "", 0},
		{"clear unknown", nil, clear, nil, "", consts.CodeNotFound.Code()},
		{"the source clears", old(model.StatusActive, "", 0), sourceClear, cleared("", 0, "meter-collector", now), model.EventCleared, 0},
		{"the source clears an unknown alarm: nothing", nil, sourceClear, nil, "", 0},
		{"the source clears a cleared alarm: nothing", cleared("", 0, "dan", 260), sourceClear, cleared("", 0, "dan", 260), "", 0},
		{"ack outside the scope looks unknown", old(model.StatusActive, "", 0), ackOutside, nil, "", consts.CodeNotFound.Code()},
		{"clear outside the scope looks unknown", old(model.StatusActive, "", 0), clearOutside, nil, "", consts.CodeNotFound.Code()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before []byte
			if tc.cur != nil {
				before, _ = json.Marshal(tc.cur)
			}
			got, event, err := nextState(tc.cur, tc.op, now)
			if codeOf(err) != tc.code {
				t.Fatalf("error %v, want code %d", err, tc.code)
			}
			if event != tc.event || jsonOf(got) != jsonOf(tc.want) {
				t.Fatalf("got %s, %q; want %s, %q", jsonOf(got), event, jsonOf(tc.want), tc.event)
			}
			if after, _ := json.Marshal(tc.cur); tc.cur != nil && string(after) != string(before) {
				t.Fatalf("nextState changed the current state: %s, was %s", after, before)
			}
		})
	}
}

func TestTransitionNumbersEventsAndCollectsChanges(t *testing.T) {
	const now, last = 5000, 40
	key := func(id string) model.AlarmKey {
		return model.AlarmKey{BusinessType: "m", BusinessId: "m-1", AlarmId: id}
	}
	stored := map[model.AlarmKey]storedAlarm{
		key("old"):  {state: &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{AlarmId: "old"}, Status: model.StatusActive, Count: 1}, seq: 7},
		key("done"): {state: &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{AlarmId: "done"}, Status: model.StatusCleared, Count: 1}, seq: 9},
	}
	raiseNew := &op{kind: opRaise, key: key("new"), raise: model.AlarmBusinessData{AlarmId: "new", BusinessType: "m", BusinessId: "m-1", Time: 1}}
	ackOld := &op{kind: opAck, key: key("old"), user: "bob"}
	ackDone := &op{kind: opAck, key: key("done"), user: "bob"}
	clearDone := &op{kind: opClear, key: key("done")}
	clearNew := &op{kind: opClear, key: key("new")}
	ackOldAgain := &op{kind: opAck, key: key("old"), user: "ann"}
	// The same id under another business is another alarm: new, not a repeat of "old".
	raiseOldElsewhere := &op{kind: opRaise, key: model.AlarmKey{BusinessType: "p", BusinessId: "p-7", AlarmId: "old"},
		raise: model.AlarmBusinessData{AlarmId: "old", BusinessType: "p", BusinessId: "p-7", Time: 1}}
	ops := []*op{raiseNew, ackOld, ackDone, clearDone, clearNew, ackOldAgain, raiseOldElsewhere}

	events, changed, err := transition(stored, ops, last, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		op     *op
		seq    int64
		status string
		code   int
	}{
		{"a raise of a new alarm gets the next seq", raiseNew, 41, model.StatusActive, 0},
		{"an ack gets the seq after", ackOld, 42, model.StatusAcked, 0},
		{"a failed op takes no seq", ackDone, 0, "", consts.CodeConflict.Code()},
		{"an op that changes nothing answers the stored seq", clearDone, 9, model.StatusCleared, 0},
		{"a second change of an alarm in the batch sees the first", clearNew, 43, model.StatusCleared, 0},
		{"an op that changes nothing answers the seq made in the batch", ackOldAgain, 42, model.StatusAcked, 0},
		{"the same id under another business is a new alarm", raiseOldElsewhere, 44, model.StatusActive, 0},
	} {
		o := tc.op
		if codeOf(o.err) != tc.code {
			t.Errorf("%s: error %v, want code %d", tc.name, o.err, tc.code)
		}
		if o.seq != tc.seq || (o.state == nil) != (tc.status == "") || (o.state != nil && o.state.Status != tc.status) {
			t.Errorf("%s: seq %d, state %s; want seq %d, status %q", tc.name, o.seq, jsonOf(o.state), tc.seq, tc.status)
		}
	}
	if ackOldAgain.state.AckedBy != "bob" {
		t.Errorf("an ack of an acked alarm changed who acked it: %s", jsonOf(ackOldAgain.state))
	}

	wantEvents := []struct {
		seq   int64
		id    string
		event string
	}{{41, "new", model.EventRaised}, {42, "old", model.EventAcked}, {43, "new", model.EventCleared}, {44, "old", model.EventRaised}}
	if len(events) != len(wantEvents) {
		t.Fatalf("%d events, want %d", len(events), len(wantEvents))
	}
	for i, w := range wantEvents {
		var m model.AlarmMessage
		if err := json.Unmarshal(events[i].Message, &m); err != nil {
			t.Fatal(err)
		}
		if events[i].Seq != w.seq || events[i].Key.AlarmId != w.id || m.Seq != w.seq || m.Ts != now || m.Event != w.event ||
			m.Type != model.TypeAlarm {
			t.Errorf("event %d: %d %s %s, want %d %s %s", i, events[i].Seq, events[i].Key.AlarmId, events[i].Message, w.seq, w.id, w.event)
		}
	}

	// Each changed alarm once, in the order of its first change, with its last state and seq.
	if len(changed) != 3 || changed[0].key != key("new") || changed[1].key != key("old") || changed[2].key != raiseOldElsewhere.key {
		t.Fatalf("changed %+v, want new, old, then p/p-7's old", changed)
	}
	if c := changed[2]; !c.isNew || c.seq != 44 || c.state.Count != 1 {
		t.Errorf("p/p-7's old: %+v %s, want a new row at seq 44, count 1", c, jsonOf(c.state))
	}
	if c := changed[0]; !c.isNew || c.seq != 43 || c.state.Status != model.StatusCleared {
		t.Errorf("new: %+v %s, want a new row at seq 43, cleared", c, jsonOf(c.state))
	}
	if c := changed[1]; c.isNew || c.seq != 42 || c.state.Status != model.StatusAcked {
		t.Errorf("old: %+v %s, want an update at seq 42, acked", c, jsonOf(c.state))
	}
	if stored[key("old")].seq != 7 || stored[key("old")].state.Status != model.StatusActive {
		t.Errorf("transition changed what was stored: %+v", stored[key("old")])
	}
}

// codeOf is err's code, 0 for no error.
func codeOf(err error) int {
	if err == nil {
		return 0
	}
	return gerror.Code(err).Code()
}

func jsonOf(a *model.Alarm) string {
	if a == nil {
		return "null"
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// TestAlarmFrameIsTheMessage: the frame the commit builds around the encoded state is, byte for
// byte, model.AlarmMessage as model.Encode writes it (what consoles parse), for every event and
// for states holding what JSON escapes.
func TestAlarmFrameIsTheMessage(t *testing.T) {
	a := &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{AlarmId: "a-\"1\"", BusinessType: "电表", BusinessId: "m<1>&",
		Level: model.LevelMajor, Title: "tab\there", Content: "line\nbreak \u2028", Time: 123, Data: json.RawMessage(`{"v":[1,2.5,"x"]}`)},
		Status: model.StatusAcked, Count: 7, FirstTime: 100, LastTime: 123, AckedBy: "张三", AckTime: 120}
	for _, event := range []string{model.EventRaised, model.EventRepeated, model.EventAcked, model.EventCleared} {
		state, err := model.Encode(a)
		if err != nil {
			t.Fatal(err)
		}
		want, err := model.Encode(model.AlarmMessage{Type: model.TypeAlarm, Seq: 42, Ts: 5000, Event: event, Data: a})
		if err != nil {
			t.Fatal(err)
		}
		if got := alarmFrame(42, 5000, event, state); string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", event, got, want)
		}
	}
}
