package strictjson_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/strictjson"
)

// rowBatch is a typical row-data batch: 100 meter readings (about 15 KB).
func rowBatch() []byte {
	items := make([]string, 100)
	for i := range items {
		items[i] = fmt.Sprintf(`{"businessType":"meter","businessId":"m-%03d","time":1767225600000,`+
			`"data":{"voltage":231.5,"current":12.25,"power":2835.9,"status":"ok","phase":["L1","L2","L3"],"alarms":{"over":false,"under":false}}}`, i)
	}
	return []byte(`{"items":[` + strings.Join(items, ",") + `]}`)
}

// BenchmarkUnmarshal compares Unmarshal with plain encoding/json on a row-data batch.
func BenchmarkUnmarshal(b *testing.B) {
	body := rowBatch()
	b.Run("strictjson", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var v batch
			if err := strictjson.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check-only", func(b *testing.B) { // the strict pass alone
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if err := strictjson.Check(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var v batch
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
