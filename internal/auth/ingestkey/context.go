package ingestkey

import "context"

type keyKey struct{}

// NewContext returns ctx carrying the ingest key a request authenticated with.
func NewContext(ctx context.Context, k *Key) context.Context {
	return context.WithValue(ctx, keyKey{}, k)
}

// FromContext is the key NewContext put in ctx; ok is false when there is none (auth off).
func FromContext(ctx context.Context) (k *Key, ok bool) {
	k, ok = ctx.Value(keyKey{}).(*Key)
	return k, ok
}
