package pulsenode

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// PostAlarms is the body of an alarm-ingest benchmark: b.N posts of one alarm each to n, from 32
// × GOMAXPROCS concurrent posters, alarm i (from 1) drawn from ids ids (0: every alarm new); each
// must answer 200 (committed). prepare, when set, adjusts each request (an Idempotency-Key). It
// reports alarms/s.
func PostAlarms(b *testing.B, n *Node, ids int64, prepare func(req *http.Request, i int64)) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			id := i
			if ids > 0 {
				id = i % ids
			}
			body := fmt.Sprintf(`{"alarmId":"bench-%d","businessType":"meter","businessId":"m","level":"major","title":"t"}`, id)
			req, err := http.NewRequest(http.MethodPost, n.Base+"/api/v1/alarm", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/json")
			if prepare != nil {
				prepare(req, i)
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			// Read to the end, or net/http closes the connection and the next request dials again.
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alarms/s")
}
