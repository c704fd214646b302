package notify

import (
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// Key names one notification: what caused it (the alarm, its event's seq and kind) and where it
// goes (route, step, outlet, target). Every retry of it has the same Key, so the same ID.
type Key struct {
	Route, Step, Outlet, Target string
	Alarm                       model.AlarmKey
	Seq                         int64
	// Kind is the notification's kind; a reminder's carries its number ("reminder#2"), as the
	// reminders of one alarm event have the same seq.
	Kind string
}

// idEncoding is base32 (RFC 4648) in lower case, without padding: ids are compared as bytes, and
// lower case reads better in headers and logs.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ID is "msg_" + the first 26 characters of base32(SHA-256(key)), lower case. The key's fields are
// joined with newlines, which no name or id may hold (model.CheckName refuses control characters).
func (k Key) ID() string {
	s := strings.Join([]string{k.Route, k.Step, k.Outlet, k.Target,
		k.Alarm.BusinessType, k.Alarm.BusinessId, k.Alarm.AlarmId, strconv.FormatInt(k.Seq, 10), k.Kind}, "\n")
	sum := sha256.Sum256([]byte(s))
	return "msg_" + idEncoding.EncodeToString(sum[:])[:26]
}
