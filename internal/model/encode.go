package model

import (
	"bytes"
	"encoding/json"
)

// Encode writes an outbound object once for all its recipients: compact, no trailing newline,
// HTML characters as they are (the objects go to JSON parsers, not into HTML).
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}
