package ingest_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
)

func nest(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// wantInvalid fails unless err is a client fault (400) whose message starts with prefix.
func wantInvalid(t *testing.T, err error, prefix string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want an error starting %q", prefix)
	}
	if gerror.Code(err) != consts.CodeInvalidInput {
		t.Fatalf("code %v (%v); want CodeInvalidInput", gerror.Code(err), err)
	}
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("error %q; want it to start %q", err.Error(), prefix)
	}
}

func TestDecodeAccepts(t *testing.T) {
	cases := []struct {
		name, body string
		batch      bool
		want       []model.BusinessData
	}{
		{"one item", ` {"businessType":"meter","businessId":"m-1","time":5,"data":{"v":1}} `, false,
			[]model.BusinessData{{BusinessType: "meter", BusinessId: "m-1", Time: 5, Data: json.RawMessage(`{"v":1}`)}}},
		{"a batch", `{"items":[{"businessType":"a"},{"businessType":"b"}]}`, true,
			[]model.BusinessData{{BusinessType: "a"}, {BusinessType: "b"}}},
		{"a batch with items spelt with an escape", `{"\u0069tems":[{"businessType":"a"}]}`, true,
			[]model.BusinessData{{BusinessType: "a"}}},
		{"an empty item", `{}`, false, []model.BusinessData{{}}},
		{"non-ASCII text", `{"businessType":"電表","data":"\ud83d\ude00"}`, false,
			[]model.BusinessData{{BusinessType: "電表", Data: json.RawMessage(`"\ud83d\ude00"`)}}},
		{"32-level data", `{"data":` + nest(32) + `}`, false, []model.BusinessData{{Data: json.RawMessage(nest(32))}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items, batch, err := ingest.Decode[model.BusinessData]([]byte(tc.body))
			if err != nil || batch != tc.batch || !reflect.DeepEqual(items, tc.want) {
				t.Fatalf("got %+v batch %v err %v; want %+v batch %v", items, batch, err, tc.want, tc.batch)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	hundred := strings.TrimSuffix(strings.Repeat(`{"businessType":"m"},`, 1001), ",")
	cases := []struct {
		name, body string
		prefix     string // the error message starts with it
	}{
		{"empty body", ``, "body: must not be empty"},
		{"whitespace-only body", " \r\n\t ", "body: must not be empty"},
		{"not an object", `[{"businessType":"m"}]`, "body: must be a JSON object"},
		{"not JSON", `businessType=m`, "body: must be a JSON object"},
		{"truncated", `{"businessType":"m"`, "body: invalid JSON"},
		{"data after the object", `{"businessType":"m"} {}`, "body: unexpected data after the JSON value"},
		{"misspelt field", `{"businesId":"m"}`, `body: unknown field "businesId"`},
		{"case-mismatched field", `{"BUSINESSID":"m-1"}`, `body: unknown field "BUSINESSID"`},
		{"case-mismatched field in a batch", `{"items":[{"businessType":"m"},{"businesstype":"m"}]}`, `items[1]: unknown field "businesstype"`},
		{"duplicate key", `{"businessType":"m","businessId":"*","businessId":"ok"}`, `body: duplicate key "businessId"`},
		{"duplicate key in a batch item", `{"items":[{"businessId":"*","businessId":"ok"}]}`, `items[0]: duplicate key "businessId"`},
		{"duplicate key in data", `{"data":{"a":1,"a":2}}`, `body.data: duplicate key "a"`},
		{"invalid UTF-8", "{\"businessType\":\"m\xff\"}", "body.businessType: invalid UTF-8"},
		{"invalid UTF-8 in a batch", "{\"items\":[{},{\"data\":\"\xc3\"}]}", "items[1].data: invalid UTF-8"},
		{"escaped lone surrogate", `{"businessType":"m\ud800"}`, `body.businessType: invalid UTF-8: lone surrogate escape \ud800`},
		{"escaped lone surrogate in data", `{"data":{"k":"\udfff"}}`, "body.data.k: invalid UTF-8"},
		{"33-level data", `{"data":` + nest(33) + `}`, "body.data: nested deeper than 32 levels"},
		{"9990-level data", `{"data":` + nest(9990) + `}`, "body.data: nested deeper than 32 levels"},
		{"33-level data in a batch", `{"items":[{},{},{"data":` + nest(33) + `}]}`, "items[2].data: nested deeper than 32 levels"},
		{"string time", `{"time":"now"}`, "body.time: must be an integer, got a string"},
		{"fractional time", `{"time":1.5}`, "body.time: must be an integer, got 1.5"},
		{"number for a string", `{"businessType":7}`, "body.businessType: must be a string, got a number"},
		{"number for a string in a batch", `{"items":[{},{},{},{"businessId":7}]}`, "items[3].businessId: must be a string"},
		{"items not an array", `{"items":{}}`, "items: must be an array, got an object"},
		{"item not an object", `{"items":[1]}`, "items[0]: must be an object, got a number"},
		{"no items", `{"items":[]}`, "items: must hold 1 to 1000 items, got 0"},
		{"null items", `{"items":null}`, "items: must hold 1 to 1000 items, got 0"},
		{"too many items", `{"items":[` + hundred + `]}`, "items: must hold 1 to 1000 items, got 1001"},
		{"a batch with another key", `{"items":[{}],"extra":1}`, `body: unknown field "extra"`},
		{"an item with items", `{"businessType":"m","items":[{}]}`, `body: unknown field "items"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ingest.Decode[model.BusinessData]([]byte(tc.body))
			wantInvalid(t, err, tc.prefix)
		})
	}
}

func TestDecodeAlarm(t *testing.T) {
	items, batch, err := ingest.Decode[model.AlarmBusinessData]([]byte(`{"alarmId":"a-1","businessId":"m","level":"major","title":"t","content":"c","time":1,"data":{"v":1}}`))
	want := model.AlarmBusinessData{AlarmId: "a-1", BusinessId: "m", Level: "major", Title: "t", Content: "c", Time: 1, Data: json.RawMessage(`{"v":1}`)}
	if err != nil || batch || len(items) != 1 || !reflect.DeepEqual(items[0], want) {
		t.Fatalf("got %+v %v %v", items, batch, err)
	}
	_, _, err = ingest.Decode[model.AlarmBusinessData]([]byte(`{"businessId":"m","Level":"critical"}`))
	wantInvalid(t, err, `body: unknown field "Level"`)
	_, _, err = ingest.Decode[model.AlarmBusinessData]([]byte(`{"items":[{"businessId":"m","level":"info","level":"critical"}]}`))
	wantInvalid(t, err, `items[0]: duplicate key "level"`)
}
