package bus

import (
	"reflect"
	"testing"
)

// TestCodec: a batch comes back as it went in (an alarm's business too: nodes route alarm events
// by it); a damaged message is an error, never a panic or a half-read batch.
func TestCodec(t *testing.T) {
	in := []Event{
		{Channel: RowData, BusinessType: "meter", BusinessId: "m-1", Message: []byte(`{"v":1}`)},
		{Channel: Alarm, Seq: 1 << 40, BusinessType: "pump", BusinessId: "p-7", Message: []byte(`{"type":"alarm","seq":1099511627776}`)},
		{Channel: RowData, BusinessType: "电表", BusinessId: "", Message: []byte{}},
		{Channel: Notice, BusinessType: "meter", BusinessId: "m-1", User: "张三", Message: []byte(`{"type":"notice"}`)},
	}
	b := encodeEvents(in)
	out, err := decodeEvents(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d events back, want %d", len(out), len(in))
	}
	for i := range in {
		if in[i].Channel != out[i].Channel || in[i].Seq != out[i].Seq || in[i].BusinessType != out[i].BusinessType || in[i].User != out[i].User ||
			in[i].BusinessId != out[i].BusinessId || string(in[i].Message) != string(out[i].Message) {
			t.Fatalf("event %d: %+v, want %+v", i, out[i], in[i])
		}
	}
	// Each message is its own memory: a row-data snapshot that keeps one item does not keep the
	// whole batch (rowdata.memory counts the item's bytes).
	clear(b)
	for i := range in {
		if string(in[i].Message) != string(out[i].Message) || cap(out[i].Message) > len(in[i].Message)+16 {
			t.Fatalf("event %d after its batch was overwritten: %q (capacity %d), want its own copy %q",
				i, out[i].Message, cap(out[i].Message), in[i].Message)
		}
	}
	b = encodeEvents(in)
	// Cut anywhere: an error, or (cut between two events) the events before the cut.
	for cut := 0; cut < len(b); cut++ {
		got, err := decodeEvents(b[:cut])
		if err == nil && (len(got) >= len(in) || !reflect.DeepEqual(got, out[:len(got)]) && len(got) > 0) {
			t.Fatalf("a message cut at %d of %d decoded as %+v", cut, len(b), got)
		}
	}
	for _, bad := range [][]byte{nil, {2}, {codecVersion, 9}, {codecVersion, byte(RowData), 0, 0xff}} {
		if _, err := decodeEvents(bad); err == nil {
			t.Fatalf("%v decoded", bad)
		}
	}
}
