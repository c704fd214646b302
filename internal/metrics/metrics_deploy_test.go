package metrics_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// familyName is a metric name as the dashboard's and the alert rules' queries write it.
var familyName = regexp.MustCompile(`\b(?:pulse|go|process)_[a-z_]+\b`)

// TestDeployFilesUseRealMetrics: every metric the Grafana dashboard and the Prometheus alert
// rules query is one a running node exposes, so neither shows "no data" for a misspelt name.
func TestDeployFilesUseRealMetrics(t *testing.T) {
	n := pulsenode.Start(t, nil)
	n.MustPost("/api/v1/alarm", `{"businessType":"meter","businessId":"m-1","title":"t"}`)
	exposed := n.Scrape()
	has := func(name string) bool {
		if exposed[name] != nil {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && exposed[base] != nil {
				return true
			}
		}
		return false
	}

	raw, err := os.ReadFile("../../manifest/deploy/grafana/pulse.json")
	if err != nil {
		t.Fatal(err)
	}
	var dashboard struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dashboard); err != nil {
		t.Fatalf("pulse.json: %v", err)
	}
	queries := 0
	for _, p := range dashboard.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			queries++
			for _, name := range familyName.FindAllString(target.Expr, -1) {
				if !has(name) {
					t.Errorf("panel %q queries %s, which /metrics does not expose", p.Title, name)
				}
			}
		}
	}
	if queries < 10 {
		t.Fatalf("the dashboard has %d queries", queries)
	}

	rules, err := os.ReadFile("../../manifest/deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(rules), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, name := range familyName.FindAllString(line, -1) {
			if !has(name) {
				t.Errorf("alerts.yml queries %s, which /metrics does not expose", name)
			}
		}
	}
}

// TestAlertRulesPassPromtool: Prometheus itself accepts the alert rules (syntax, PromQL, templates),
// as it would when an operator loads them with rule_files.
func TestAlertRulesPassPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		testsvc.Missing(t, "promtool (apt-get install prometheus; hack/install-deps.sh does it)", err)
		return
	}
	out, err := exec.Command(promtool, "check", "rules", "../../manifest/deploy/prometheus/alerts.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules alerts.yml: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("promtool check rules alerts.yml said:\n%s", out)
	}
}
