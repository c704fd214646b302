package ingest

import (
	"context"
	"fmt"

	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/auth/ingestkey"
	"pulse/internal/consts"
)

// permit checks a validated batch of kind against the ingest key the request authenticated with
// (auth on); list gives the items' businesses. One item the key does not cover refuses the whole batch with 403. A context without
// a key (auth off, or the in-process Go API) publishes anything.
func permit(ctx context.Context, kind string, batch bool, list func() []ingestkey.Item) error {
	k, ok := ingestkey.FromContext(ctx)
	if !ok {
		return nil
	}
	items := list()
	i, ok := k.CheckBatch(kind, items)
	if ok {
		return nil
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
