package hub

import (
	"bytes"
	"compress/flate"
	"fmt"
	"syscall"
	"testing"
)

// cpuTime is the CPU time the process has used so far, in nanoseconds.
func cpuTime() int64 {
	var r syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return r.Utime.Nano() + r.Stime.Nano()
}

// BenchmarkCompressFrame measures what permessage-deflate (RFC 7692) would save and cost on the
// frames Pulse writes: row items and alarms as the ingest encodes them, alone (a broadcast's
// frame) and batched as the writer batches a connection's queue (newline-separated, one frame).
// Each frame is compressed on its own, as without context takeover, with compress/flate at
// BestSpeed, the level gorilla/websocket uses, the writer reset between frames. It reports the
// frame's bytes before and after ("B/frame", "deflated-B/frame"), the share saved ("saved-%"),
// ns/op per frame and the CPU time per frame ("cpu-ns/frame", from getrusage: on a busy machine
// ns/op counts the time other processes had the core). docs/PERFORMANCE.md has the figures and
// the decision.
func BenchmarkCompressFrame(b *testing.B) {
	for _, kind := range []string{"rowdata", "alarm"} {
		for _, batch := range []int{1, 4, 16, 64} {
			b.Run(fmt.Sprintf("%s/batch=%d", kind, batch), func(b *testing.B) {
				frame := typicalFrame(kind, batch)
				fw, _ := flate.NewWriter(nil, flate.BestSpeed)
				var out bytes.Buffer
				deflate := func() int {
					out.Reset()
					fw.Reset(&out)
					_, _ = fw.Write(frame)
					_ = fw.Flush()
					return out.Len() - 4 // RFC 7692 7.2.1: the final 00 00 ff ff is not sent
				}
				n := deflate()
				b.SetBytes(int64(len(frame)))
				b.ReportAllocs()
				start, frames := cpuTime(), 0
				for b.Loop() {
					deflate()
					frames++
				}
				b.ReportMetric(float64(cpuTime()-start)/float64(frames), "cpu-ns/frame")
				b.ReportMetric(float64(len(frame)), "B/frame")
				b.ReportMetric(float64(n), "deflated-B/frame")
				b.ReportMetric(100*(1-float64(n)/float64(len(frame))), "saved-%")
			})
		}
	}
}

// typicalFrame is batch objects of kind in one frame: the row items of a dashboard following
// meter/* (a business each, two readings), or the alarm events of a console (each a different
// business and alarm), as PROTOCOL shows them.
func typicalFrame(kind string, batch int) []byte {
	var b []byte
	for i := range batch {
		if i > 0 {
			b = append(b, '\n')
		}
		ts := 1732250000125 + int64(i)*37
		switch kind {
		case "rowdata":
			b = fmt.Appendf(b, `{"type":"rowdata","ts":%d,"data":{"businessType":"meter","businessId":"m-%03d","time":%d,"data":{"voltage":%.1f,"current":%.1f}}}`,
				ts, 17*i%1000, ts-2, 229.8+float64(i%7)*0.3, 4.2+float64(i%5)*0.1)
		default:
			b = fmt.Appendf(b, `{"type":"alarm","seq":%d,"ts":%d,"event":"raised","data":{"alarmId":"a-%d","businessType":"meter","businessId":"m-%03d","level":"critical","title":"Over-voltage","content":"voltage %d V > 250 V","time":%d,"data":{"limit":250},"status":"active","count":1,"firstTime":%d,"lastTime":%d,"ackedBy":"","ackTime":0,"clearedBy":"","clearTime":0}}`,
				17+i, ts, 17+i, 17*i%1000, 251+i%20, ts-2, ts-2, ts-2)
		}
	}
	return b
}
