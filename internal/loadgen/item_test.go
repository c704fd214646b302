package loadgen

import (
	"encoding/json"
	"testing"
)

func TestAppendItemSizeAndParse(t *testing.T) {
	for _, seq := range []uint64{0, 7, 123456} {
		raw := appendItem(nil, 12, seq, 1732250000123456789, 64)
		var item struct {
			BusinessType string          `json:"businessType"`
			BusinessId   string          `json:"businessId"`
			Data         json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &item); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if item.BusinessType != BusinessType || item.BusinessId != "k12" || len(item.Data) != 64 {
			t.Fatalf("%s: data is %d bytes", raw, len(item.Data))
		}
		frame := `{"type":"rowdata","ts":1,"data":{"businessType":"bench","businessId":"k12","time":1,"data":` +
			string(item.Data) + `}}`
		p, kind := parseObject([]byte(frame))
		if kind != kindItem || string(p.id) != "k12" || p.seq != seq || p.t != 1732250000123456789 {
			t.Fatalf("parse %s: %+v %v", frame, p, kind)
		}
	}
}

func TestParseObjectKinds(t *testing.T) {
	for frame, want := range map[string]objectKind{
		`{"type":"pong","ts":1}`: kindOther,
		`{"type":"rowdata","ts":1,"snapshot":true,"data":{"businessId":"k1","data":{"seq":1,"t":2}}}`: kindOther,
		`{"type":"rowdata","ts":1,"data":{"businessId":"k1","data":{"seq":1}}}`:                       kindMangled,
		`{"type":"rowdata","ts":1,"data":{"businessId":"k1","data":42}}`:                              kindMangled,
		`{"ts":1,"type":"rowdata","data":{"businessId":"k1","data":{"seq":1,"t":2}}}`:                 kindItem,
	} {
		if _, kind := parseObject([]byte(frame)); kind != want {
			t.Errorf("%s: kind %v, want %v", frame, kind, want)
		}
	}
}
