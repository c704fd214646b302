package app_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"pulse/internal/config"
)

// snapshotN returns the "n" of a row-data object and whether it is marked as snapshot.
func snapshotN(t *testing.T, o object) (string, bool) {
	t.Helper()
	var d struct {
		BusinessId string `json:"businessId"`
		Data       struct {
			N string `json:"n"`
		} `json:"data"`
	}
	if o.Type != "rowdata" {
		t.Fatalf("want row data, got %s", o.raw)
	}
	if err := json.Unmarshal(o.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.BusinessId + ":" + d.Data.N, o.Snapshot
}

// TestChartSnapshot: a new (T, I) subscriber first gets the latest snapshotSize items of exactly
// that key, oldest first and marked; a (T, *) subscriber the latest of each id; then live data.
// Keys beyond snapshotKeys are forgotten, least recently published first.
func TestChartSnapshot(t *testing.T) {
	n := startNode(t, func(c *config.Config) { c.RowData.SnapshotSize, c.RowData.SnapshotKeys = 5, 3 })
	post := func(id string, from, to int) {
		var items []map[string]any
		for i := from; i < to; i++ {
			items = append(items, map[string]any{"businessType": "meter", "businessId": id, "data": map[string]string{"n": fmt.Sprint(i)}})
		}
		n.mustPost("/api/v1/rowdata", map[string]any{"items": items})
	}
	post("m-1", 0, 12)
	post("m-2", 0, 2)
	n.mustPost("/api/v1/rowdata", `{"businessType":"meter","data":{"n":"type-wide"}}`) // not a key's history

	read := func(c *client, count int) []string {
		var got []string
		for range count {
			s, marked := snapshotN(t, c.next(patience))
			if !marked {
				s += "(live)"
			}
			got = append(got, s)
		}
		return got
	}
	one := n.dial(rowPath("meter", "m-1", "u"))
	all := n.dial(rowPath("meter", "*", "u"))
	n.waitConnections(2, 0)
	post("m-1", 12, 13)
	if got := fmt.Sprint(read(one, 6)); got != "[m-1:7 m-1:8 m-1:9 m-1:10 m-1:11 m-1:12(live)]" {
		t.Fatalf("(meter, m-1) got %s", got)
	}
	if got := fmt.Sprint(read(all, 3)); got != "[m-1:11 m-2:1 m-1:12(live)]" {
		t.Fatalf("(meter, *) got %s", got)
	}

	// Three keys are kept: m-3 and m-4 push out m-2, the least recently published.
	post("m-3", 0, 1)
	post("m-4", 0, 1)
	if got := fmt.Sprint(read(all, 2)); got != "[m-3:0(live) m-4:0(live)]" {
		t.Fatalf("(meter, *) live got %s", got)
	}
	late := n.dial(rowPath("meter", "*", "v"))
	if got := fmt.Sprint(read(late, 3)); got != "[m-1:12 m-3:0 m-4:0]" {
		t.Fatalf("(meter, *) after eviction got %s", got)
	}
	none := n.dial(rowPath("meter", "m-2", "v"))
	n.waitConnections(4, 0)
	n.marker("end")
	if got := none.receivedUntilMarker("end"); len(got) != 0 {
		t.Fatalf("forgotten key m-2 still had a snapshot: %v", got)
	}
}
