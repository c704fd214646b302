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

// Note is where a request's handling records the name of the ingest key it presented, refused
// (over its rate) or not, for whoever counts or logs requests by key (the metrics, the access log).
type Note struct {
	Name string // the key's configured name; "" when no known key was presented
}

type noteKey struct{}

// WithNote returns ctx carrying a Note, and the Note: the one ctx carries already, so that
// everyone who watches a request (the metrics, the access log) reads the same, else a fresh one.
func WithNote(ctx context.Context) (context.Context, *Note) {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		return ctx, n
	}
	n := &Note{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// Noted records k in ctx's Note, if it has one.
func Noted(ctx context.Context, k *Key) {
	if n, ok := ctx.Value(noteKey{}).(*Note); ok {
		n.Name = k.name
	}
}
