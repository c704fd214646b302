package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// SoakCounts are a soak's delivery counters so far.
type SoakCounts struct {
	RowDeliveries   int64 `json:"rowDeliveries"`   // new row-data items the dashboards received
	AlarmDeliveries int64 `json:"alarmDeliveries"` // new alarm events the consoles received
	Lost            int64 `json:"lost"`            // items and events missing from their stream
	Duplicated      int64 `json:"duplicated"`
	OutOfOrder      int64 `json:"outOfOrder"`
	Misrouted       int64 `json:"misrouted"`  // items of another business, or unreadable
	HTTPErrors      int64 `json:"httpErrors"` // posts, acks and clears not answered 200
	ConnErrors      int64 `json:"connErrors"` // sockets not opened, dropped, timed out, or reset
	Churned         int64 `json:"churned"`    // churning connections opened and closed
	Resumes         int64 `json:"resumes"`    // console resumes with since
	Rows            int64 `json:"rows"`       // row-data items accepted
	Alarms          int64 `json:"alarms"`     // alarms accepted
	Acks            int64 `json:"acks"`
	Clears          int64 `json:"clears"`
}

// SoakSample is one line of a soak: the server's memory (RSS and descriptors with PID; heap and
// goroutines from its /metrics; -1 when unknown) and the counters so far.
type SoakSample struct {
	Mode       string  `json:"mode"` // "soak-sample"
	ElapsedS   float64 `json:"elapsedS"`
	RSSKB      int64   `json:"rssKB"`
	HeapInuse  int64   `json:"heapInuseBytes"`
	FDs        int64   `json:"fds"`
	Goroutines int64   `json:"goroutines"`
	SoakCounts
}

// SoakResult is a soak's summary and verdict.
type SoakResult struct {
	Mode      string       `json:"mode"` // "soak"
	Config    SoakConfig   `json:"-"`
	Samples   []SoakSample `json:"-"`
	DurationS float64      `json:"durationS"` // the load
	WarmupS   float64      `json:"warmupS"`
	Counts    SoakCounts   `json:"counts"`
	P99Ms     float64      `json:"rowP99Ms"` // row data, publish to delivery
	MaxMs     float64      `json:"rowMaxMs"`
	Warmed    bool         `json:"warmed"`    // the load outlasted the warm-up: the drift is measured
	WarmRSSKB int64        `json:"warmRssKB"` // at the end of the warm-up
	EndRSSKB  int64        `json:"endRssKB"`  // at the end of the load
	MaxRSSKB  int64        `json:"maxRssKB"`
	RSSDrift  float64      `json:"rssDrift"` // (end - warm) / warm
	Pass      bool         `json:"pass"`
	Failures  []string     `json:"failures,omitempty"`
	Error     string       `json:"error,omitempty"` // the first failure's reason
}

// soakVerdict is why a soak with these counts fails, nothing when it passes.
func soakVerdict(c SoakCounts, res *SoakResult, cfg SoakConfig) []string {
	var f []string
	add := func(n int64, what string) {
		if n != 0 {
			f = append(f, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(c.Lost, "lost")
	add(c.Duplicated, "duplicated")
	add(c.OutOfOrder, "out of order")
	add(c.Misrouted, "misrouted or unreadable")
	add(c.HTTPErrors, "HTTP errors")
	add(c.ConnErrors, "connection failures")
	if cfg.RowRate > 0 && c.RowDeliveries == 0 {
		f = append(f, "no row data delivered")
	}
	if cfg.AlarmRate > 0 && cfg.Consoles > 0 && c.AlarmDeliveries == 0 {
		f = append(f, "no alarm event delivered")
	}
	if res.Warmed && res.WarmRSSKB > 0 && res.RSSDrift > cfg.MaxRSSDrift {
		f = append(f, fmt.Sprintf("RSS grew %+.1f %% after the warm-up (limit %.0f %%)", 100*res.RSSDrift, 100*cfg.MaxRSSDrift))
	}
	return f
}

// WriteSoakHeader writes the head of the table that WriteText's rows follow.
func WriteSoakHeader(w io.Writer, cfg SoakConfig) {
	cfg = cfg.withDefaults()
	fmt.Fprintf(w, "pulse bench --soak on %s for %v: %d dashboards over %d %s businesses at %g rows/s, %g churning connections/s, "+
		"%g alarms/s of %d ids, 1 ack and 1 clear/s, %d consoles resuming every %v\n\n",
		strings.Join(cfg.Addrs, ","), cfg.Duration, cfg.Dashboards, cfg.Businesses, soakBusinessType, cfg.RowRate, cfg.Churn,
		cfg.AlarmRate, cfg.AlarmIDs, cfg.Consoles, cfg.Resume)
	fmt.Fprintln(w, "| elapsed | RSS | Go heap in use | descriptors | goroutines | row deliveries | alarm deliveries | lost | duplicated | out of order | HTTP errors | churned | resumes |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
}

// WriteText writes sm as a row of the table.
func (sm SoakSample) WriteText(w io.Writer) {
	fmt.Fprintf(w, "| %v | %s | %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d |\n",
		(time.Duration(sm.ElapsedS * float64(time.Second))).Round(time.Second), mb(sm.RSSKB*1024), mb(sm.HeapInuse),
		orDash(sm.FDs), orDash(sm.Goroutines), sm.RowDeliveries, sm.AlarmDeliveries, sm.Lost, sm.Duplicated,
		sm.OutOfOrder, sm.HTTPErrors, sm.Churned, sm.Resumes)
}

// WriteJSON writes sm as one line of JSON.
func (sm SoakSample) WriteJSON(w io.Writer) error { return writeJSONLine(w, sm) }

// WriteJSON writes r as one line of JSON.
func (r SoakResult) WriteJSON(w io.Writer) error { return writeJSONLine(w, r) }

// WriteText writes the totals and the pass or fail line.
func (r SoakResult) WriteText(w io.Writer) {
	c := r.Counts
	fmt.Fprintf(w, "\n%d rows and %d alarms accepted, %d acks, %d clears; %d row deliveries (p99 %.1f ms, max %.1f ms), "+
		"%d alarm deliveries, %d churned connections, %d resumes\n",
		c.Rows, c.Alarms, c.Acks, c.Clears, c.RowDeliveries, r.P99Ms, r.MaxMs, c.AlarmDeliveries, c.Churned, c.Resumes)
	rss := "RSS not read (no --pid)"
	switch {
	case r.EndRSSKB <= 0:
	case !r.Warmed:
		rss = fmt.Sprintf("RSS drift not measured: the load (%v) did not outlast the warm-up (%v); RSS %s at the end, max %s",
			r.Config.Duration, r.Config.Warmup, mb(r.EndRSSKB*1024), mb(r.MaxRSSKB*1024))
	default:
		rss = fmt.Sprintf("RSS %s after the warm-up (%v), %s at the end (%+.1f %%, limit %.0f %%), max %s",
			mb(r.WarmRSSKB*1024), r.Config.Warmup, mb(r.EndRSSKB*1024), 100*r.RSSDrift, 100*r.Config.MaxRSSDrift, mb(r.MaxRSSKB*1024))
	}
	if r.Pass {
		fmt.Fprintf(w, "PASS: nothing lost, doubled or out of order, no HTTP error; %s\n", rss)
		return
	}
	fmt.Fprintf(w, "FAIL: %s; %s\n", strings.Join(r.Failures, ", "), rss)
	if r.Error != "" {
		fmt.Fprintf(w, "first failure: %s\n", r.Error)
	}
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// mb is bytes in MB with one decimal, "-" when unknown.
func mb(b int64) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}

func orDash(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
