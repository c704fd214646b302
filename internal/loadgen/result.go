package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Result is what one step measured (or, in idle mode, the hold). Rates are per second, latencies in
// milliseconds.
type Result struct {
	Mode        string   `json:"mode"` // "publish" or "idle"
	Step        int      `json:"step"` // 1-based
	Addrs       []string `json:"addrs"`
	Subs        int      `json:"subs"`
	Keys        int      `json:"keys"`
	Payload     int      `json:"payload"`
	Batch       int      `json:"batch"`
	ConnectRate float64  `json:"connectRate"` // handshakes per second while dialing
	ConnectCPU  float64  `json:"connectCpu"`  // cores the tool itself used while dialing
	Auth        bool     `json:"auth"`        // the subscribers sent a token or the publisher an ingest key

	TargetRate     float64 `json:"targetRate"`
	DurationS      float64 `json:"durationS"`      // publish window
	Published      int64   `json:"published"`      // items the servers accepted
	PublishRate    float64 `json:"publishRate"`    // achieved
	PublishErrors  int64   `json:"publishErrors"`  // items whose POST failed
	Expected       int64   `json:"expected"`       // deliveries due: accepted items × subscribers of their key
	Delivered      int64   `json:"delivered"`      // distinct items received
	DeliveriesRate float64 `json:"deliveriesRate"` // delivered / time from step start to the last delivery
	Lost           int64   `json:"lost"`
	Duplicated     int64   `json:"duplicated"`
	Misrouted      int64   `json:"misrouted"` // items of another key
	Mangled        int64   `json:"mangled"`   // row-data objects the tool could not read
	P50Ms          float64 `json:"p50Ms"`
	P90Ms          float64 `json:"p90Ms"`
	P99Ms          float64 `json:"p99Ms"`
	MaxMs          float64 `json:"maxMs"`
	ToolCPU        float64 `json:"toolCpu"` // cores the tool itself used while publishing
	// With --pid: the server's CPU time per accepted item, from the step's start until everything
	// was delivered (or the straggler wait ended), and the cores it used over that time; the cores
	// it used with the subscribers connected before anything was published (heartbeats, timers),
	// and the CPU time per item without that idle share: what publishing itself cost.
	ServerCPUPerPublishMs        float64 `json:"serverCpuPerPublishMs,omitempty"`
	ServerCores                  float64 `json:"serverCores,omitempty"`
	ServerIdleCores              float64 `json:"serverIdleCores,omitempty"`
	ServerPublishCPUPerPublishMs float64 `json:"serverPublishCpuPerPublishMs,omitempty"`

	HeldS        float64 `json:"heldS,omitempty"` // idle mode
	RSSBeforeKB  int64   `json:"rssBeforeKB,omitempty"`
	RSSAfterKB   int64   `json:"rssAfterKB,omitempty"`
	RSSPerConnKB float64 `json:"rssPerConnKB,omitempty"`

	Disconnected int64  `json:"disconnected"`    // subscribers the servers closed so far
	OK           bool   `json:"ok"`              // nothing lost, duplicated, misrouted or dropped; p99 under the SLO; ≥ 95 % of the target rate published
	Error        string `json:"error,omitempty"` // first publish error or disconnection
}

// WriteJSON writes r as one line of JSON.
func (r Result) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// textHeader is the head of the table WriteText continues.
const textHeader = "step  target/s  published/s  deliveries/s     expected   lost    dup  p50 ms  p90 ms  p99 ms  max ms  tool CPU  ok"

// WriteTextHeader writes what the run measures and the table head.
func WriteTextHeader(w io.Writer, cfg Config) {
	cfg = cfg.withDefaults()
	if cfg.Idle {
		fmt.Fprintf(w, "pulse bench: %d idle subscribers on %s, held %v%s\n", cfg.Subs, strings.Join(cfg.Addrs, ","), cfg.Duration, credentialsNote(cfg))
		return
	}
	keys := "1 key"
	if cfg.Keys > 1 {
		keys = fmt.Sprintf("%d keys", cfg.Keys)
	}
	fmt.Fprintf(w, "pulse bench: %d subscribers over %s on %s, %d-byte payloads, %v per step%s\n",
		cfg.Subs, keys, strings.Join(cfg.Addrs, ","), cfg.Payload, cfg.Duration, credentialsNote(cfg))
}

// credentialsNote says which credentials the run sends, never the credentials themselves.
func credentialsNote(cfg Config) string {
	var parts []string
	if sub, err := tokenSubject(cfg.Token); err == nil {
		parts = append(parts, "subscribers as "+sub+" with a token")
	}
	if cfg.IngestKey != "" {
		parts = append(parts, "publishing with an ingest key")
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// WriteText writes r as a line of the table (the first step also writes the head).
func (r Result) WriteText(w io.Writer) {
	if r.Mode == "idle" {
		fmt.Fprintf(w, "connected %d at %.0f handshakes/s (tool CPU %.0f%%); held %.0fs, %d disconnected",
			r.Subs, r.ConnectRate, 100*r.ConnectCPU, r.HeldS, r.Disconnected)
		if r.RSSAfterKB > 0 {
			fmt.Fprintf(w, "; server RSS %d KB -> %d KB, %.1f KB per connection", r.RSSBeforeKB, r.RSSAfterKB, r.RSSPerConnKB)
		}
		fmt.Fprintln(w)
		r.writeProblems(w)
		return
	}
	if r.Step == 1 {
		fmt.Fprintf(w, "connected %d subscribers at %.0f handshakes/s (tool CPU %.0f%%); batch %d items per POST\n",
			r.Subs, r.ConnectRate, 100*r.ConnectCPU, r.Batch)
		fmt.Fprintln(w, textHeader)
	}
	ok := "yes"
	if !r.OK {
		ok = "NO"
	}
	fmt.Fprintf(w, "%4d  %8.0f  %11.0f  %12.0f  %11d  %5d  %5d  %6.1f  %6.1f  %6.1f  %6.1f  %7.0f%%  %s\n",
		r.Step, r.TargetRate, r.PublishRate, r.DeliveriesRate, r.Expected, r.Lost, r.Duplicated,
		r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs, 100*r.ToolCPU, ok)
	if r.ServerCores > 0 {
		fmt.Fprintf(w, "      server: %.3f ms of CPU per item (%.3f ms without its idle %.1f%% of a core), %.0f%% of a core\n",
			r.ServerCPUPerPublishMs, r.ServerPublishCPUPerPublishMs, 100*r.ServerIdleCores, 100*r.ServerCores)
	}
	r.writeProblems(w)
}

func (r Result) writeProblems(w io.Writer) {
	var notes []string
	if r.PublishErrors > 0 {
		notes = append(notes, fmt.Sprintf("%d items not accepted", r.PublishErrors))
	}
	if r.Misrouted > 0 {
		notes = append(notes, fmt.Sprintf("%d items of another key", r.Misrouted))
	}
	if r.Mangled > 0 {
		notes = append(notes, fmt.Sprintf("%d unreadable objects", r.Mangled))
	}
	if r.Disconnected > 0 {
		notes = append(notes, fmt.Sprintf("%d subscribers disconnected", r.Disconnected))
	}
	if r.Error != "" {
		notes = append(notes, "first error: "+r.Error)
	}
	if len(notes) > 0 {
		fmt.Fprintf(w, "      ! %s\n", strings.Join(notes, "; "))
	}
}
