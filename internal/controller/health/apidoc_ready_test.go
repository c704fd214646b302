package health_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/pulse-monitoring/pulse/internal/app"
	"github.com/pulse-monitoring/pulse/internal/buildinfo"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
)

// TestAPIDescriptionReadyWithHealthz: a client that polls /healthz while the node starts, then
// fetches /api.json at its first 200, gets the description (not 503), with the build's version.
func TestAPIDescriptionReadyWithHealthz(t *testing.T) {
	type answer struct {
		status  int
		version string
		err     error
	}
	got := make(chan answer, 1)
	pulsenode.StartWith(t, nil, func(a *app.App) {
		base := "http://" + a.Addresses()[0]
		go func() { // from the moment the node listens, racing its Start
			if !poll.Until(func() bool {
				resp, err := http.Get(base + "/healthz")
				if err != nil {
					return false
				}
				resp.Body.Close()
				return resp.StatusCode == http.StatusOK
			}) {
				got <- answer{err: fmt.Errorf("/healthz never answered 200")}
				return
			}
			resp, err := http.Get(base + "/api.json")
			if err != nil {
				got <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			var doc struct{ Info struct{ Version string } }
			_ = json.NewDecoder(resp.Body).Decode(&doc)
			got <- answer{status: resp.StatusCode, version: doc.Info.Version}
		}()
	})
	a := <-got
	if a.err != nil || a.status != http.StatusOK {
		t.Fatalf("GET /api.json at the first 200 of /healthz: %d %v, want 200", a.status, a.err)
	}
	if want := buildinfo.Current().Version; a.version != want {
		t.Fatalf("info.version %q, want the build's %q", a.version, want)
	}
}
