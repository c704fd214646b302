package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/gogf/gf/v2/errors/gerror"

	"pulse/internal/consts"
)

// MaxBatch is the most items one ingest request may carry.
const MaxBatch = 1000

// Decode reads an ingest body: one object, or {"items":[...]} with 1 to MaxBatch objects. Unknown
// fields are refused, so a misspelt "businessType" is an error rather than a broadcast.
// The second result says whether the body was a batch.
func Decode[T any](body []byte) ([]T, bool, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, false, gerror.NewCode(consts.CodeInvalidInput, "body: must be a JSON object, or {\"items\":[...]}")
	}
	var probe struct {
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, false, decodeError("body", err)
	}
	if probe.Items == nil {
		var item T
		if err := decodeStrict(body, &item); err != nil {
			return nil, false, decodeError("body", err)
		}
		return []T{item}, false, nil
	}
	var batch struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := decodeStrict(body, &batch); err != nil {
		return nil, true, decodeError("body", err)
	}
	if n := len(batch.Items); n == 0 || n > MaxBatch {
		return nil, true, invalid("items", "must hold 1 to %d items, got %d", MaxBatch, n)
	}
	items := make([]T, len(batch.Items))
	for i, raw := range batch.Items {
		if err := decodeStrict(raw, &items[i]); err != nil {
			return nil, true, decodeError(fmt.Sprintf("items[%d]", i), err)
		}
	}
	return items, true, nil
}

func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// decodeError turns a JSON error into a client error that names where it happened.
func decodeError(where string, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return invalid(where+"."+typeErr.Field, "must be %s, got %s", jsonKind(typeErr.Type.Kind()), typeErr.Value)
	}
	if errors.As(err, &typeErr) {
		return invalid(where, "must be a JSON object, got %s", typeErr.Value)
	}
	return invalid(where, "%s", trimJSONPrefix(err.Error()))
}

// jsonKind names a Go kind the way a JSON author would.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

func trimJSONPrefix(s string) string {
	return string(bytes.TrimPrefix([]byte(s), []byte("json: ")))
}
