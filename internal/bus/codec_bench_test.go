package bus

import (
	"fmt"
	"testing"
)

// BenchmarkDecodeEvents decodes a batch of 100 row-data items of about 120 bytes, as a node
// receives one ingest request from Redis (a string).
func BenchmarkDecodeEvents(b *testing.B) {
	in := make([]Event, 100)
	for i := range in {
		id := fmt.Sprintf("m-%d", i)
		in[i] = Event{Channel: RowData, BusinessType: "meter", BusinessId: id,
			Message: fmt.Appendf(nil, `{"type":"rowdata","ts":1764600000000,"data":{"businessType":"meter","businessId":%q,"data":{"v":%d}}}`, id, i)}
	}
	payload := string(encodeEvents(in))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodePayload(payload); err != nil {
			b.Fatal(err)
		}
	}
}
