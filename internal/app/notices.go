package app

import (
	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/hub"
)

// deliverNotice hands a notice from the bus to its user's sockets on this node: dashboards and
// alarm consoles alike, each if its grant's notice scope covers the notice's business. Every
// node does this for every notice; the user's devices are not pushed here but once, by the node
// that accepted the notice (ingest.Service.SetNoticeDevices).
func (a *App) deliverNotice(e bus.Event) {
	key, msg := hub.Key{Type: e.BusinessType, ID: e.BusinessId}, hub.NewMessage(e.Message)
	a.RowData.SendToUser(e.User, key, msg)
	a.Alarm.SendToUser(e.User, key, msg)
}
