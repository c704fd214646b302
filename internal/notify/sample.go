package notify

import (
	"time"

	"github.com/pulse-monitoring/pulse/internal/model"
)

// sampleNotification is a notification with every field set, which outlets render at start to
// refuse a configuration whose message cannot be built.
func sampleNotification() Notification {
	now := time.Now()
	a := Alarm{Seq: 1, AckURL: "https://pulse.example.com/ack/sample"}
	a.AlarmId, a.BusinessType, a.BusinessId = "sample", "pulse", "sample"
	a.Level, a.Title, a.Content = model.LevelCritical, "Sample alarm", "rendered at start to check the message"
	a.Status, a.Count, a.FirstTime, a.LastTime = model.StatusActive, 1, now.UnixMilli(), now.UnixMilli()
	return Notification{ID: "msg_sample", Kind: "test", Route: "sample", Group: map[string]string{},
		Alarms: []Alarm{a}, Timestamp: now}
}
