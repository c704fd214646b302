package bus

import (
	"bytes"
	"testing"
)

// sameEvents reports whether two batches hold the same events (a nil message equals an empty one).
func sameEvents(a, b []Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Channel != y.Channel || x.Seq != y.Seq || x.BusinessType != y.BusinessType ||
			x.BusinessId != y.BusinessId || x.User != y.User || !bytes.Equal(x.Message, y.Message) {
			return false
		}
	}
	return true
}

// FuzzDecodeEvents: any bus message decodes to events of known channels or to an error, never a
// panic; what decodes encodes again to a message that decodes to the same events.
func FuzzDecodeEvents(f *testing.F) {
	f.Add(encodeEvents([]Event{{Channel: RowData, BusinessType: "meter", BusinessId: "m-1", Message: []byte(`{"v":1}`)}}))
	f.Add(encodeEvents([]Event{{Channel: Alarm, Seq: 1 << 40, Message: []byte(`{}`)}, {Channel: RowData}}))
	f.Add(encodeEvents([]Event{{Channel: Notice, BusinessType: "meter", BusinessId: "m-1", User: "bob", Message: []byte(`{}`)}}))
	f.Add([]byte{})
	f.Add([]byte{codecVersion})
	f.Add([]byte{codecVersion, byte(RowData), 0x80, 0x00, 0, 0, 0})                                               // a non-minimal varint
	f.Add([]byte{codecVersion, byte(Alarm), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0}) // seq 2^64-1
	f.Add([]byte{codecVersion, byte(RowData), 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := decodeEvents(b)
		if err != nil {
			if events != nil {
				t.Fatalf("an error (%v) and %d events", err, len(events))
			}
			return
		}
		for _, e := range events {
			if e.Channel != RowData && e.Channel != Alarm && e.Channel != Notice {
				t.Fatalf("decoded an event of channel %d", e.Channel)
			}
		}
		again, err := decodeEvents(encodeEvents(events))
		if err != nil || !sameEvents(again, events) {
			t.Fatalf("%x decoded to %+v, re-encoded to %+v (%v)", b, events, again, err)
		}
	})
}

// FuzzCodecRoundTrip: any batch of events of known channels comes back as it went in.
func FuzzCodecRoundTrip(f *testing.F) {
	f.Add(uint8(1), int64(0), "meter", "m-1", []byte(`{"v":1}`), uint8(1))
	f.Add(uint8(2), int64(1<<62), "", "", []byte{}, uint8(3))
	f.Add(uint8(1), int64(-1), "电表", "\x00\xff", []byte{0xff, 0}, uint8(0))
	f.Fuzz(func(t *testing.T, ch uint8, seq int64, typ, id string, message []byte, n uint8) {
		e := Event{Channel: RowData, BusinessType: typ, BusinessId: id, Seq: seq, Message: message}
		switch ch % 3 {
		case 1:
			e.Channel = Alarm
		case 2:
			e.Channel, e.User = Notice, id+typ
		}
		in := make([]Event, n%8)
		for i := range in {
			in[i] = e
			in[i].Seq += int64(i)
			in[i].BusinessId += string(rune('a' + i))
		}
		out, err := decodeEvents(encodeEvents(in))
		if err != nil || !sameEvents(in, out) {
			t.Fatalf("%+v came back as %+v (%v)", in, out, err)
		}
	})
}
