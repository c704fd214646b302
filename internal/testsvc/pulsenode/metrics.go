package pulsenode

import (
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
)

// Scrape is what GET /metrics answers (without credentials), parsed as the Prometheus text format.
type Scrape map[string]*dto.MetricFamily

// Scrape is GET /metrics, parsed.
func (n *Node) Scrape() Scrape {
	n.T.Helper()
	resp, err := http.Get(n.Base + "/metrics")
	if err != nil {
		n.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		n.T.Fatalf("GET /metrics: %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		n.T.Fatalf("GET /metrics: Content-Type %q, want the text format", ct)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		n.T.Fatalf("GET /metrics: not the Prometheus text format: %v", err)
	}
	return families
}

// Value is the value of the series of family name whose labels include labels ("k=v" each); it
// fails the test when there is no such series.
func (s Scrape) Value(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	v, ok := s.Find(name, labels...)
	if !ok {
		t.Fatalf("no series %s%v in /metrics", name, labels)
	}
	return v
}

// Find is Value without failing: false when there is no such series.
func (s Scrape) Find(name string, labels ...string) (float64, bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
series:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for _, want := range labels {
			k, v, _ := strings.Cut(want, "=")
			if have[k] != v {
				continue series
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// LabelValues are every label value of every series.
func (s Scrape) LabelValues() map[string]bool {
	out := map[string]bool{}
	for _, f := range s {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				out[l.GetValue()] = true
			}
		}
	}
	return out
}

// Moved waits until the series reaches at least want, and fails the test if it never does.
func (n *Node) Moved(name string, want float64, labels ...string) {
	n.T.Helper()
	var got float64
	poll.Eventually(n.T, func() bool {
		got, _ = n.Scrape().Find(name, labels...)
		return got >= want
	}, "%s%v stayed below %v", name, labels, want)
}
