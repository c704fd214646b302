package model

import "testing"

// TestRowDataTs reads the ts of what ingest encodes, and refuses anything else.
func TestRowDataTs(t *testing.T) {
	encoded, err := Encode(RowDataMessage{Type: TypeRowData, Ts: 1732250000123, Data: &BusinessData{BusinessType: "meter", BusinessId: "m-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if ts, ok := RowDataTs(encoded); !ok || ts != 1732250000123 {
		t.Fatalf("RowDataTs(%s) = %d, %v", encoded, ts, ok)
	}
	for _, bad := range []string{``, `{"type":"rowdata","ts":`, `{"type":"rowdata","ts":-1}`, `{"ts":1,"type":"rowdata"}`, `{"type":"alarm","ts":1}`} {
		if ts, ok := RowDataTs([]byte(bad)); ok {
			t.Errorf("RowDataTs(%s) = %d, want none", bad, ts)
		}
	}
}
