package ingest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/service/ingest"
)

// jsonOfSize is a JSON string of exactly n bytes, encoded.
func jsonOfSize(n int) json.RawMessage {
	return json.RawMessage(`"` + strings.Repeat("x", n-2) + `"`)
}

func TestValidateRowData(t *testing.T) {
	long := strings.Repeat("x", 129)
	cases := []struct {
		name   string
		item   model.BusinessData
		prefix string // "" when valid
	}{
		{"to everyone", model.BusinessData{Data: json.RawMessage(`1`)}, ""},
		{"to a type", model.BusinessData{BusinessType: "meter"}, ""},
		{"to one id", model.BusinessData{BusinessType: "meter", BusinessId: "m-1", Time: 1}, ""},
		{"128-byte names", model.BusinessData{BusinessType: long[:128], BusinessId: long[:128]}, ""},
		{"large data (only the body size limits it)", model.BusinessData{BusinessType: "m", Data: jsonOfSize(1 << 20)}, ""},
		{"an id without a type", model.BusinessData{BusinessId: "m-1"}, "businessId: needs a businessType"},
		{"wildcard type", model.BusinessData{BusinessType: "*"}, `businessType: "*" is reserved`},
		{"wildcard id", model.BusinessData{BusinessType: "m", BusinessId: "*"}, `businessId: "*" is reserved`},
		{"long type", model.BusinessData{BusinessType: long}, "businessType: must be at most 128 bytes"},
		{"control character", model.BusinessData{BusinessType: "m", BusinessId: "a\x01"}, "businessId: must not contain control characters"},
		{"invalid UTF-8", model.BusinessData{BusinessType: "m\xff"}, "businessType: must be valid UTF-8"},
		{"negative time", model.BusinessData{Time: -1}, "time: must be unix milliseconds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ingest.ValidateRowData(&tc.item)
			if tc.prefix == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantInvalid(t, err, tc.prefix)
		})
	}
}

func TestValidateAlarm(t *testing.T) {
	cases := []struct {
		name   string
		alarm  model.AlarmBusinessData
		prefix string // "" when valid
	}{
		{"minimal", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1"}, ""},
		{"complete", model.AlarmBusinessData{AlarmId: "a-1", BusinessType: "meter", BusinessId: "m-1", Level: "critical",
			Title: strings.Repeat("t", 512), Content: strings.Repeat("c", 8192), Time: 1, Data: json.RawMessage(`{"v":1}`)}, ""},
		{"16 KiB data", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1", Data: jsonOfSize(16 << 10)}, ""},
		{"16 KiB + 1 data", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1", Data: jsonOfSize(16<<10 + 1)}, "data: must be at most 16384 bytes encoded"},
		{"900 KB data", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1", Data: jsonOfSize(900_000)}, "data: must be at most 16384 bytes encoded"},
		{"no businessId", model.AlarmBusinessData{BusinessType: "meter", Title: "t"}, "businessId: must not be empty"},
		{"no businessType", model.AlarmBusinessData{BusinessId: "m-1", Title: "t"}, "businessType: must not be empty"},
		{"wildcard businessId", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "*"}, `businessId: "*" is reserved`},
		{"bad alarmId", model.AlarmBusinessData{BusinessType: "meter", AlarmId: "a\n", BusinessId: "m"}, "alarmId: must not contain control characters"},
		{"unknown level", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Level: "urgent"}, "level: must be one of"},
		{"level in capitals", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Level: "CRITICAL"}, "level: must be one of"},
		{"long title", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Title: strings.Repeat("t", 513)}, "title: must be at most 512 bytes"},
		{"long content", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Content: strings.Repeat("c", 8193)}, "content: must be at most 8192 bytes"},
		{"invalid UTF-8 title", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Title: "t\xff"}, "title: must be valid UTF-8"},
		{"invalid UTF-8 content", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Content: "\xed\xa0\x80"}, "content: must be valid UTF-8"},
		{"negative time", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Time: -5}, "time: must be unix milliseconds"},
		{"action raise", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Action: "raise"}, ""},
		{"action clear", model.AlarmBusinessData{BusinessType: "meter", AlarmId: "a-1", BusinessId: "m", Action: "clear"}, ""},
		{"action clear without alarmId", model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m", Action: "clear"}, "alarmId: must be given to clear an alarm"},
		{"unknown action", model.AlarmBusinessData{BusinessType: "meter", AlarmId: "a-1", BusinessId: "m", Action: "resolve"}, `action: must be "raise" or "clear", got "resolve"`},
		{"action in capitals", model.AlarmBusinessData{BusinessType: "meter", AlarmId: "a-1", BusinessId: "m", Action: "CLEAR"}, `action: must be "raise" or "clear"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ingest.ValidateAlarm(&tc.alarm)
			if tc.prefix == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantInvalid(t, err, tc.prefix)
		})
	}
	a := model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m"}
	if err := ingest.ValidateAlarm(&a); err != nil || a.Level != model.LevelWarning {
		t.Fatalf("level default: %q, %v", a.Level, err)
	}
}
