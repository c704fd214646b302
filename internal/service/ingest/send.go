package ingest

import (
	"context"
	"sync/atomic"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
)

var running atomic.Pointer[Service]

// SetDefault makes s the service behind SendRowDataBusinessData, SendAlarmBusinessData and
// SendToUser.
func SetDefault(s *Service) { running.Store(s) }

func defaultService() (*Service, error) {
	if s := running.Load(); s != nil {
		return s, nil
	}
	return nil, gerror.NewCode(consts.CodeUnavailable, "pulse is not running")
}

// SendRowDataBusinessData publishes one row-data item from inside the binary (an MQTT or Kafka
// consumer, a job), with the same validation as POST /api/v1/rowdata (data included). It never
// blocks on a client.
func SendRowDataBusinessData(ctx context.Context, data model.BusinessData) error {
	s, err := defaultService()
	if err != nil {
		return err
	}
	if err := checkData(data.Data); err != nil {
		return err
	}
	return s.PublishRowData(ctx, []model.BusinessData{data}, false)
}

// SendAlarmBusinessData publishes one alarm from inside the binary, with the same validation as
// POST /api/v1/alarm (data included). It never blocks on a client.
func SendAlarmBusinessData(ctx context.Context, alarm model.AlarmBusinessData) error {
	s, err := defaultService()
	if err != nil {
		return err
	}
	if len(alarm.Data) <= maxAlarmDataSize { // else ValidateAlarm says so, without a scan
		if err := checkData(alarm.Data); err != nil {
			return err
		}
	}
	_, err = s.PublishAlarms(ctx, []model.AlarmBusinessData{alarm}, false)
	return err
}

// SendToUser sends a notice to every open socket of user (dashboards and consoles, on every node)
// from inside the binary, with the same validation as POST /api/v1/users/{user}/notices; the
// receiver's patterns still decide which of their sockets receive it. It never blocks on a
// client, and answers the same whether or not the user is connected.
func SendToUser(ctx context.Context, user string, notice model.Notice) error {
	s, err := defaultService()
	if err != nil {
		return err
	}
	return s.SendToUser(ctx, user, notice)
}
