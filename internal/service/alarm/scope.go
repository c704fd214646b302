package alarm

import (
	"encoding/json"

	"pulse/internal/model"
)

// BusinessOf is the business of an alarm event's message ({"type":"alarm",...,"data":{alarm}}),
// by which consoles are scoped; ok is false for a message that is not one.
func BusinessOf(message []byte) (typ, id string, ok bool) {
	var m struct {
		Data *struct {
			BusinessType string `json:"businessType"`
			BusinessId   string `json:"businessId"`
		} `json:"data"`
	}
	if json.Unmarshal(message, &m) != nil || m.Data == nil {
		return "", "", false
	}
	return m.Data.BusinessType, m.Data.BusinessId, true
}

// inScope keeps the events whose alarm scope covers, in place.
func inScope(events []storedEvent, scope model.Scope) []storedEvent {
	if scope.All() {
		return events
	}
	kept := events[:0]
	for _, e := range events {
		if typ, id, ok := BusinessOf(e.Message); ok && scope.Covers(typ, id) {
			kept = append(kept, e)
		}
	}
	return kept
}
