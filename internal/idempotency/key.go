// Package idempotency is what makes an ingest retry safe: the Idempotency-Key a request carries,
// read and checked (Key), the keys of requests being handled on this node (InFlight), and the
// answers kept for row data, which never reaches the database (Recent). Alarms keep their keys in
// the alarm store, beside the alarms they answer (service/alarm).
package idempotency

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// ReplayedHeader is the response header of an answer given again: its value is "true".
const ReplayedHeader = "Idempotent-Replayed"

// MaxKey is the longest key, in bytes.
const MaxKey = 128

// maxScope is the longest scope stored as it is; a longer credential name is stored by its hash.
const maxScope = 128

// Key is an Idempotency-Key as one credential presented it, with the SHA-256 of the raw body it
// came with. Two requests are the same request when Scope and Name are equal; Sum then tells a
// retry (equal) from a key reused for another body.
type Key struct {
	Scope string // the credential: the ingest key's name; "" with auth off
	Name  string // the header's value
	Sum   [sha256.Size]byte
}

// New reads a request's key: scope is the name of the ingest key it authenticated with ("" with
// auth off), header the Idempotency-Key header's value, body the raw body. A value that is not 1 to
// MaxKey printable ASCII bytes is refused (400, naming the header).
func New(scope, header string, body []byte) (Key, error) {
	if err := Check(header); err != nil {
		return Key{}, err
	}
	if len(scope) > maxScope {
		sum := sha256.Sum256([]byte(scope))
		scope = "sha256:" + hex.EncodeToString(sum[:])
	}
	return Key{Scope: scope, Name: header, Sum: sha256.Sum256(body)}, nil
}

// Check refuses a key that is not 1 to MaxKey printable ASCII bytes (space to tilde).
func Check(header string) error {
	if header == "" || len(header) > MaxKey {
		return gerror.NewCodef(consts.CodeInvalidInput, "%s: must be 1 to %d printable ASCII characters, got %d bytes", Header, MaxKey, len(header))
	}
	for i := 0; i < len(header); i++ {
		if c := header[i]; c < ' ' || c > '~' {
			return gerror.NewCodef(consts.CodeInvalidInput, "%s: must be 1 to %d printable ASCII characters, got byte 0x%02x at %d", Header, MaxKey, c, i)
		}
	}
	return nil
}

// SumHex is Sum in hex, as the alarm store keeps it.
func (k Key) SumHex() string { return hex.EncodeToString(k.Sum[:]) }

// id is the key without its body: what makes two requests the same request.
type id struct{ scope, name string }

func (k Key) id() id { return id{k.Scope, k.Name} }

// Reused is the refusal of a key sent again with another body (422).
func Reused(k Key) error {
	return gerror.NewCodef(consts.CodeKeyReused, "%s %q was used with another body: a retry must send the same bytes; use a new key for another request", Header, k.Name)
}

// inFlight is the refusal of a repeat while the first is still being handled (409).
func inFlight(k Key) error {
	return gerror.NewCodef(consts.CodeInFlight, "duplicate request still in flight: the request with %s %q is still being handled; retry once it is answered", Header, k.Name)
}
