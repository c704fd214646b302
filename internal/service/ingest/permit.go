package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/auth/ingestkey"
	"github.com/pulse-monitoring/pulse/internal/consts"
)

// permit checks a validated batch of kind against the ingest key the request authenticated with
// (auth on), then charges its items to the key's rate; list gives the items' businesses. One item
// the key does not cover refuses the whole batch with 403. A context without a key (auth off, or
// the in-process Go API) publishes anything.
func permit(ctx context.Context, kind string, batch bool, list func() []ingestkey.Item) error {
	k, ok := ingestkey.FromContext(ctx)
	if !ok {
		return nil
	}
	items := list()
	i, ok := k.CheckBatch(kind, items)
	if ok {
		return charge(k, len(items))
	}
	what := map[string]string{ingestkey.KindRowData: "row data", ingestkey.KindAlarm: "alarms"}[kind]
	if !k.AllowsKind(kind) {
		return gerror.NewCodef(consts.CodeForbidden, "%v may not publish %s (its allow)", k, what)
	}
	business := "a broadcast (an empty businessType or businessId needs the pattern *)"
	if it := items[i]; it.Type != "" && it.ID != "" {
		business = fmt.Sprintf("business %s/%s", it.Type, it.ID)
	}
	err := fmt.Sprintf("%v may not publish %s of %s (its businesses); nothing was published", k, what, business)
	if batch {
		err = fmt.Sprintf("items[%d]: %s", i, err)
	}
	return gerror.NewCode(consts.CodeForbidden, err)
}

// charge takes a permitted batch of n items from the key's rate, which counts items: the guard took
// one when the request arrived, charge the rest. Over the rate: 429 with Retry-After. A batch
// larger than the key's burst could never pass, however long the client waited: 400, saying how
// to split it.
func charge(k *ingestkey.Key, n int) error {
	if burst := k.Burst(); burst > 0 && n > burst {
		return gerror.NewCodef(consts.CodeInvalidInput,
			"%d items are more than %v may send at once (its burst: twice its rate in auth.ingestKeys, %d items): send at most %d items per request; nothing was published",
			n, k, burst, burst)
	}
	ok, after := k.ChargeItems(time.Now(), n)
	if ok {
		return nil
	}
	return overRate{gerror.NewCodef(consts.CodeTooManyRequests,
		"%v is over its rate (auth.ingestKeys rate, in items per second): retry after %s s; nothing was published",
		k, ingestkey.RetryAfterSeconds(after)), after}
}

// overRate is a refusal over a key's rate, which the HTTP layer answers with Retry-After
// (middleware.HeaderError).
type overRate struct {
	error
	after time.Duration
}

func (e overRate) Unwrap() error { return e.error }
func (e overRate) ResponseHeader() (key, value string) {
	return "Retry-After", ingestkey.RetryAfterSeconds(e.after)
}

// ReservedType is the business type of the server's own alarms (pulse/notify, ...): nothing
// ingested may use it, whatever the key, so that no source can raise, repeat or clear them.
const ReservedType = "pulse"

// notReserved refuses (403) a batch with an item of the ReservedType; typeOf gives an item's type.
func notReserved[T any](items []T, batch bool, typeOf func(*T) string) error {
	for i := range items {
		if typeOf(&items[i]) != ReservedType {
			continue
		}
		err := `the business type "` + ReservedType + `" is reserved for the server's own alarms; nothing was published`
		if batch {
			err = fmt.Sprintf("items[%d]: %s", i, err)
		}
		return gerror.NewCode(consts.CodeForbidden, err)
	}
	return nil
}
