package ingest

import (
	"fmt"
	"unicode/utf8"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// Limits on alarm fields, in bytes.
const (
	maxTitleLen   = 512
	maxContentLen = 8192
	// maxAlarmDataSize caps an alarm's data as encoded JSON. Alarms are stored and replayed to
	// every console that reconnects, so their size decides what a replay costs in memory. Row data
	// is not kept and has only the body-size limit.
	maxAlarmDataSize = 16 << 10
)

var levels = map[string]bool{
	model.LevelCritical: true, model.LevelMajor: true, model.LevelMinor: true,
	model.LevelWarning: true, model.LevelInfo: true,
}

// invalid is a client fault in one field; the caller adds which item it was.
func invalid(field, format string, args ...any) error {
	return gerror.NewCode(consts.CodeInvalidInput, field+": "+fmt.Sprintf(format, args...))
}

// atItem prefixes a validation error with the item's index in a batch.
func atItem(i int, batch bool, err error) error {
	if err == nil || !batch {
		return err
	}
	return gerror.NewCode(consts.CodeInvalidInput, fmt.Sprintf("items[%d].%s", i, err.Error()))
}

// ValidateRowData checks one row-data item against the contract's routing rules.
func ValidateRowData(d *model.BusinessData) error {
	if d.BusinessType != "" {
		if err := checkAddress("businessType", d.BusinessType); err != nil {
			return err
		}
	}
	if d.BusinessId != "" {
		if d.BusinessType == "" {
			return invalid("businessId", "needs a businessType (an id without a type addresses nothing)")
		}
		if err := checkAddress("businessId", d.BusinessId); err != nil {
			return err
		}
	}
	if d.Time < 0 {
		return invalid("time", "must be unix milliseconds, not negative")
	}
	return nil
}

// ValidateAlarm checks one alarm and fills in the level's default. An item that clears an alarm
// ("action": "clear") names it, so its alarmId is required.
func ValidateAlarm(a *model.AlarmBusinessData) error {
	switch a.Action {
	case "", model.ActionRaise:
		a.Action = "" // the default: not stored
	case model.ActionClear:
		if a.AlarmId == "" {
			return invalid("alarmId", `must be given to clear an alarm ("action": "clear")`)
		}
	default:
		return invalid("action", `must be "raise" or "clear", got %q`, a.Action)
	}
	if a.AlarmId != "" {
		if err := model.CheckName(a.AlarmId); err != nil {
			return invalid("alarmId", "%v", err)
		}
	}
	// An alarm is (businessType, businessId, alarmId): without its type it would stand under a
	// business "" that no console groups, no pattern but "*" covers and no key names.
	if err := checkAddress("businessType", a.BusinessType); err != nil {
		return err
	}
	if err := checkAddress("businessId", a.BusinessId); err != nil {
		return err
	}
	if a.Level == "" {
		a.Level = model.LevelWarning
	} else if !levels[a.Level] {
		return invalid("level", "must be one of critical, major, minor, warning, info; got %q", a.Level)
	}
	// Decode has checked what came over HTTP; Go callers may pass anything.
	if !utf8.ValidString(a.Title) {
		return invalid("title", "must be valid UTF-8")
	}
	if !utf8.ValidString(a.Content) {
		return invalid("content", "must be valid UTF-8")
	}
	if len(a.Title) > maxTitleLen {
		return invalid("title", "must be at most %d bytes", maxTitleLen)
	}
	if len(a.Content) > maxContentLen {
		return invalid("content", "must be at most %d bytes", maxContentLen)
	}
	if len(a.Data) > maxAlarmDataSize {
		return invalid("data", "must be at most %d bytes encoded", maxAlarmDataSize)
	}
	if a.Time < 0 {
		return invalid("time", "must be unix milliseconds, not negative")
	}
	return nil
}

// checkAddress checks a businessType or businessId by model.CheckAddress.
func checkAddress(field, s string) error {
	if err := model.CheckAddress(s); err != nil {
		return invalid(field, "%v", err)
	}
	return nil
}
