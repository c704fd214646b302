package auth

import "context"

type identityKey struct{}

// NewContext returns ctx carrying the identity of the request's verified token.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// FromContext is the identity NewContext put in ctx; ok is false when there is none (auth off).
func FromContext(ctx context.Context) (id Identity, ok bool) {
	id, ok = ctx.Value(identityKey{}).(Identity)
	return id, ok
}
