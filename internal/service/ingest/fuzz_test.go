package ingest_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

var decodeSeeds = []string{
	`{"businessType":"meter","businessId":"m-1","time":5,"data":{"v":[1,2,{"x":null}]}}`,
	`{"items":[{"businessType":"a"},{"businessType":"b","data":"\ud83d\ude00"}]}`,
	`{"alarmId":"a-1","businessId":"m","level":"critical","title":"t","content":"c","data":{"v":1}}`,
	`{"items":[{"businessId":"x","level":"info"}]}`,
	`{"BUSINESSID":"m"}`, `{"businessId":"*","businessId":"ok"}`, "{\"businessId\":\"\xff\"}", `{"businessId":"\ud800"}`,
	`{"data":` + nest(33) + `}`, `{"items":[]}`, `{"items":[1]}`, `{"\u0069tems":[{}]}`, ` `, `[]`, `{"time":-1}`,
	`{"businessId":"` + strings.Repeat("x", 129) + `"}`, `{"data":"` + strings.Repeat("d", 16<<10) + `"}`,
}

// fuzzDecode checks what Decode and validate do with any body: no panic; a refusal is a client
// fault (400) that names where; an accepted item is strict JSON through and through.
func fuzzDecode[T any](f *testing.F, validate func(*T) error, data func(*T) json.RawMessage) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, batch, err := ingest.Decode[T](body)
		if err != nil {
			if gerror.Code(err) != consts.CodeInvalidInput || !strings.Contains(err.Error(), ": ") {
				t.Fatalf("refused without a client error naming a field: %v", err)
			}
			return
		}
		if len(items) == 0 || len(items) > ingest.MaxBatch || !batch && len(items) != 1 {
			t.Fatalf("%d items, batch %v", len(items), batch)
		}
		if !utf8.Valid(body) {
			t.Fatal("accepted invalid UTF-8")
		}
		for i := range items {
			if d := data(&items[i]); len(d) > 0 {
				if err := strictjson.Check(d); err != nil {
					t.Fatalf("accepted item %d with data that is not strict JSON: %v", i, err)
				}
			}
			if err := validate(&items[i]); err != nil {
				if gerror.Code(err) != consts.CodeInvalidInput {
					t.Fatalf("validation failed without a client error: %v", err)
				}
				continue
			}
			// A valid item re-encodes to JSON that decodes to the same item.
			out, err := json.Marshal(items[i])
			if err != nil {
				t.Fatalf("a valid item does not encode: %v", err)
			}
			again, _, err := ingest.Decode[T](out)
			if err != nil {
				t.Fatalf("a valid item's own encoding %s is refused: %v", out, err)
			}
			if out2, _ := json.Marshal(again[0]); !bytes.Equal(out, out2) {
				t.Fatalf("round trip changed %s to %s", out, out2)
			}
		}
	})
}

func FuzzDecodeRowData(f *testing.F) {
	fuzzDecode(f, func(d *model.BusinessData) error {
		err := ingest.ValidateRowData(d)
		if err == nil && (d.BusinessId != "" && d.BusinessType == "" || d.BusinessType == "*" || d.BusinessId == "*" || d.Time < 0 ||
			!utf8.ValidString(d.BusinessType) || !utf8.ValidString(d.BusinessId)) {
			return gerror.Newf("validation passed an invalid item: %+v", d) // not a client error: the fuzzer fails
		}
		return err
	}, func(d *model.BusinessData) json.RawMessage { return d.Data })
}

func FuzzDecodeAlarm(f *testing.F) {
	fuzzDecode(f, func(a *model.AlarmBusinessData) error {
		err := ingest.ValidateAlarm(a)
		if err == nil && (a.BusinessId == "" || a.BusinessId == "*" || a.Level == "" || len(a.Data) > 16<<10 ||
			len(a.Title) > 512 || len(a.Content) > 8192 || a.Time < 0 || !utf8.ValidString(a.Title) || !utf8.ValidString(a.Content)) {
			return gerror.Newf("validation passed an invalid alarm: %+v", a)
		}
		return err
	}, func(a *model.AlarmBusinessData) json.RawMessage { return a.Data })
}
