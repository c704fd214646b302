package ingest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// MaxBatch is the most items one ingest request may carry.
const MaxBatch = 1000

// jsonSpace is the white space JSON allows between tokens.
const jsonSpace = " \t\r\n"

// Decode reads an ingest body: one object, or {"items":[...]} with 1 to MaxBatch objects. JSON is
// strict (see strictjson): field names match exactly, so a misspelt "businessType" is an error
// rather than a broadcast, and a duplicate key, invalid UTF-8 or data nested too deep is refused.
// The second result says whether the body was a batch. Errors name the field, as in
// body.time or items[3].businessId.
func Decode[T any](body []byte) ([]T, bool, error) {
	body = bytes.Trim(body, jsonSpace)
	if len(body) == 0 {
		return nil, false, invalid("body", `must not be empty: send a JSON object, or {"items":[...]}`)
	}
	if body[0] != '{' {
		return nil, false, invalid("body", `must be a JSON object, or {"items":[...]}`)
	}
	if !isBatch(body) {
		var item T
		if err := strictjson.Unmarshal(body, &item); err != nil {
			return nil, false, decodeError("body", err)
		}
		return []T{item}, false, nil
	}
	var batch struct {
		Items []T `json:"items"`
	}
	if err := strictjson.Unmarshal(body, &batch); err != nil {
		return nil, true, decodeError("", err)
	}
	if n := len(batch.Items); n == 0 || n > MaxBatch {
		return nil, true, invalid("items", "must hold 1 to %d items, got %d", MaxBatch, n)
	}
	return batch.Items, true, nil
}

// isBatch says whether the first key of the object is "items". A batch has no other key and an
// item has no such field, so the first key decides; strictjson refuses whatever else is wrong.
func isBatch(object []byte) bool {
	rest := bytes.TrimLeft(object[1:], jsonSpace)
	if len(rest) == 0 || rest[0] != '"' {
		return false
	}
	end := 1
	for end < len(rest) && rest[end] != '"' {
		if rest[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(rest) {
		return false
	}
	key := rest[:end+1]
	if bytes.IndexByte(key, '\\') < 0 {
		return string(key) == `"items"`
	}
	var k string // spelt with escapes
	return json.Unmarshal(key, &k) == nil && k == "items"
}

// decodeError turns a strictjson error into a client error that names where it happened: root is
// what the document is called ("body" for one item, "data" for data alone, nothing for a batch,
// whose paths start with items).
func decodeError(root string, err error) error {
	var e *strictjson.Error
	if !errors.As(err, &e) {
		return invalid("body", "%v", err)
	}
	var path string
	switch {
	case e.Path == "":
		path = cmp.Or(root, "body")
	case root == "":
		path = e.Path
	case strings.HasPrefix(e.Path, "["): // an index, or a key that is not a plain name
		path = root + e.Path
	default:
		path = root + "." + e.Path
	}
	return invalid(path, "%s", e.Reason)
}

// checkData refuses data that did not come through Decode (Go callers build it) as Decode would.
func checkData(data json.RawMessage) error {
	if len(data) == 0 {
		return nil
	}
	if err := strictjson.Check(data); err != nil {
		return decodeError("data", err)
	}
	return nil
}
