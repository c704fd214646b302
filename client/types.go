package client

// BusinessData is one row-data item, as POST /api/v1/rowdata takes it (docs/PROTOCOL.md §8,
// "BusinessData"). The names mirror the server's in-process API (internal/model), so code moves
// between the two with its import changed.
type BusinessData struct {
	// BusinessType is the business type; empty with an empty BusinessId: every row-data subscriber.
	BusinessType string `json:"businessType,omitempty"`
	// BusinessId is the business id; empty: every id of the type.
	BusinessId string `json:"businessId,omitempty"`
	// Time is unix ms; 0: the server's ingest time.
	Time int64 `json:"time,omitempty"`
	// Data is any value encoding/json encodes (a map, a struct, a json.RawMessage); it is encoded
	// when the item is sent, and delivered to dashboards as that JSON value.
	Data any `json:"data,omitempty"`
}

// AlarmBusinessData is one alarm, as POST /api/v1/alarm takes it (docs/PROTOCOL.md §8, "Alarm").
type AlarmBusinessData struct {
	// AlarmId names the alarm across repeats, within its business; empty: the server generates one
	// (the receipt of SendAlarms says which).
	AlarmId      string `json:"alarmId,omitempty"`
	BusinessType string `json:"businessType,omitempty"`
	// BusinessId is required.
	BusinessId string `json:"businessId"`
	// Action is ActionRaise (empty means it too) or ActionClear, which resolves the alarm.
	Action string `json:"action,omitempty"`
	// Level is one of the Level constants; empty: LevelWarning.
	Level   string `json:"level,omitempty"`
	Title   string `json:"title,omitempty"`
	Content string `json:"content,omitempty"`
	// Time is unix ms; 0: the server's ingest time.
	Time int64 `json:"time,omitempty"`
	// Data is any JSON value, at most 16 KiB encoded; nil sends none.
	Data any `json:"data,omitempty"`
}

// Alarm levels, most severe first.
const (
	LevelCritical = "critical"
	LevelMajor    = "major"
	LevelMinor    = "minor"
	LevelWarning  = "warning"
	LevelInfo     = "info"
)

// Alarm actions.
const (
	ActionRaise = "raise"
	ActionClear = "clear"
)

// AlarmReceipt is what the server answered for one alarm: its id (the one it chose when none was
// given) and the seq of its event, the place every alarm console sees it in.
type AlarmReceipt struct {
	AlarmId string `json:"alarmId"`
	Seq     int64  `json:"seq"`
}

// Notice is a message to one user, as POST /api/v1/users/{user}/notices takes it
// (docs/PROTOCOL.md, "Notices to one user"): their open sockets receive it as a "notice" object.
type Notice struct {
	// Title is required, at most 512 bytes.
	Title string `json:"title"`
	// Content is at most 8192 bytes.
	Content string `json:"content,omitempty"`
	// Level is one of the Level constants; empty: LevelInfo.
	Level string `json:"level,omitempty"`
	// Data is any JSON value, at most 16 KiB encoded; nil sends none.
	Data any `json:"data,omitempty"`
	// BusinessType and BusinessId (both required) name the business the notice is about: the
	// sender must be allowed it, and the user receives it only on sockets whose patterns cover it.
	BusinessType string `json:"businessType"`
	BusinessId   string `json:"businessId"`
}
