package ingest

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/auth"
	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// NoticeDevices pushes a notice to the phones and browsers a user registered (the device
// registry, when there is one). The node that accepted the notice calls it once, after the
// notice went on the bus; it must not block (queue, and send elsewhere). Without it a notice
// reaches open sockets only.
type NoticeDevices interface {
	PushNotice(ctx context.Context, user string, n *model.NoticeData)
}

// NoticeCounts are the notices a node accepted and refused (the sockets they reached are the
// managers' count: hub.Manager.NoticesDelivered).
type NoticeCounts struct {
	Sent      int64 // accepted and put on the bus
	Invalid   int64 // refused 400: a bad user name or notice
	Forbidden int64 // refused 403: the sender may not send notices, or not about that business
}

// notices are the Service's notice counters and its device hook.
type notices struct {
	sent, invalid, forbidden atomic.Int64
	devices                  atomic.Pointer[NoticeDevices]
}

// SetNoticeDevices makes d receive every notice this node accepts, for the user's devices.
func (s *Service) SetNoticeDevices(d NoticeDevices) { s.notices.devices.Store(&d) }

// NoticeCounts returns the notice counters so far.
func (s *Service) NoticeCounts() NoticeCounts {
	return NoticeCounts{s.notices.sent.Load(), s.notices.invalid.Load(), s.notices.forbidden.Load()}
}

// SendToUser sends n to every open socket of user, on every node, whose user may receive notices
// of n's business; and, with NoticeDevices, to the user's devices. With credentials in ctx (an
// ingest key allowed "notice", or a token with "ack": true) n's business must be within the
// sender's patterns (the key's businesses, the token's alarms); without (auth off, the Go API) it
// may be any. It answers the same whether or not the user is connected anywhere.
func (s *Service) SendToUser(ctx context.Context, user string, n model.Notice) error {
	return s.count(s.sendToUser(ctx, user, &n))
}

// SendToUserJSON is SendToUser of a notice as HTTP brings it: a JSON body, decoded strictly (see
// strictjson), so that a misspelt field is an error rather than a notice without it.
func (s *Service) SendToUserJSON(ctx context.Context, user string, body []byte) error {
	var n model.Notice
	if err := strictjson.Unmarshal(body, &n); err != nil {
		return s.count(decodeError("body", err))
	}
	return s.SendToUser(ctx, user, n)
}

// count counts a notice's outcome, and returns it.
func (s *Service) count(err error) error {
	switch {
	case err == nil:
		s.notices.sent.Add(1)
	case gerror.Code(err).Code() == consts.CodeForbidden.Code():
		s.notices.forbidden.Add(1)
	case gerror.Code(err).Code() == consts.CodeInvalidInput.Code():
		s.notices.invalid.Add(1)
	}
	return err
}

func (s *Service) sendToUser(ctx context.Context, user string, n *model.Notice) error {
	if err := model.CheckName(user); err != nil {
		return invalid("user", "%v", err)
	}
	if err := ValidateNotice(n); err != nil {
		return err
	}
	if n.BusinessType == ReservedType {
		return gerror.NewCode(consts.CodeForbidden, `the business type "`+ReservedType+`" is reserved for the server's own alarms and notices; nothing was sent`)
	}
	from, err := noticeSender(ctx, n.BusinessType, n.BusinessId)
	if err != nil {
		return err
	}
	data := &model.NoticeData{User: user, From: from, Notice: n}
	message, err := model.Encode(model.NoticeMessage{Type: model.TypeNotice, Ts: time.Now().UnixMilli(), Data: data})
	if err != nil {
		return invalid("data", "must be valid JSON")
	}
	event := bus.Event{Channel: bus.Notice, BusinessType: n.BusinessType, BusinessId: n.BusinessId, User: user, Message: message}
	if err := s.publish(ctx, []bus.Event{event}); err != nil {
		return err
	}
	if d := s.notices.devices.Load(); d != nil && *d != nil {
		(*d).PushNotice(ctx, user, data)
	}
	return nil
}

// noticeSender checks that the credentials in ctx may send a notice about the business (typ, id),
// and says who sends it: the key's name, the token's sub, or "" without credentials.
func noticeSender(ctx context.Context, typ, id string) (string, error) {
	if k, ok := ingestkey.FromContext(ctx); ok {
		switch {
		case !k.AllowsKind(ingestkey.KindNotice):
			return "", gerror.NewCodef(consts.CodeForbidden, `%v may not send notices (its allow has no "notice"); nothing was sent`, k)
		case !k.Allows(ingestkey.KindNotice, typ, id):
			return "", gerror.NewCodef(consts.CodeForbidden, "%v may not send notices about business %s/%s (its businesses); nothing was sent", k, typ, id)
		}
		return k.Name(), nil
	}
	if who, ok := auth.FromContext(ctx); ok {
		switch {
		case !who.Ack:
			return "", gerror.NewCode(consts.CodeForbidden, `your token may not send notices (its pulse claim needs "ack": true); nothing was sent`)
		case !model.AnyCovers(who.Alarms, typ, id):
			return "", gerror.NewCodef(consts.CodeForbidden, "your token's alarms patterns do not cover business %s/%s; nothing was sent", typ, id)
		}
		return who.Sub, nil
	}
	return "", nil
}

// maxNoticeDataSize caps a notice's data as encoded JSON, as an alarm's is capped: it goes to
// every socket of its user.
const maxNoticeDataSize = maxAlarmDataSize

// ValidateNotice checks a notice and fills in the level's default (info): a title of 1 to 512
// bytes, content up to 8192, data up to 16 KiB of strict JSON, a business it is about.
func ValidateNotice(n *model.Notice) error {
	if err := checkAddress("businessType", n.BusinessType); err != nil {
		return err
	}
	if err := checkAddress("businessId", n.BusinessId); err != nil {
		return err
	}
	if n.Level == "" {
		n.Level = model.LevelInfo
	} else if !levels[n.Level] {
		return invalid("level", "must be one of critical, major, minor, warning, info; got %q", n.Level)
	}
	switch {
	case n.Title == "":
		return invalid("title", "must not be empty: say what the notice is about")
	case !utf8.ValidString(n.Title):
		return invalid("title", "must be valid UTF-8")
	case len(n.Title) > maxTitleLen:
		return invalid("title", "must be at most %d bytes", maxTitleLen)
	case !utf8.ValidString(n.Content):
		return invalid("content", "must be valid UTF-8")
	case len(n.Content) > maxContentLen:
		return invalid("content", "must be at most %d bytes", maxContentLen)
	case len(n.Data) > maxNoticeDataSize:
		return invalid("data", "must be at most %d bytes encoded", maxNoticeDataSize)
	}
	if len(n.Data) > 0 {
		if err := checkData(n.Data); err != nil { // Decode has checked what came over HTTP; Go callers may pass anything
			return err
		}
		if !json.Valid(n.Data) {
			return invalid("data", "must be valid JSON")
		}
	}
	return nil
}
