package console_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/controller/console"
)

// get fetches path from a real server of c and returns the status, the headers and the body.
func get(t *testing.T, c *console.Console, path string) (int, http.Header, string) {
	t.Helper()
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

const fallbackPage = "<!doctype html><p>The console is not built: run make build</p>"

// TestNotBuilt: without a build, "/" is the page that says how to build the console, and no
// asset exists.
func TestNotBuilt(t *testing.T) {
	c := console.New(fstest.MapFS{"index.html": {Data: []byte(fallbackPage)}})
	if c.Built() {
		t.Fatal("Built() with no console/index.html")
	}
	status, h, body := get(t, c, "/")
	if status != 200 || body != fallbackPage || h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET /: %d %s %q, want the fallback page as HTML", status, h.Get("Content-Type"), body)
	}
	if status, _, _ := get(t, c, "/assets/index-abc123.js"); status != 404 {
		t.Errorf("GET an asset without a build: %d, want 404", status)
	}
}

// TestBuilt: with a build, "/" is the app's page (revalidated every time) and its assets are
// served with their type and a year of caching; anything else under /assets is a JSON 404.
func TestBuilt(t *testing.T) {
	public := fstest.MapFS{
		"index.html":                       {Data: []byte(fallbackPage)},
		"console/index.html":               {Data: []byte(`<!doctype html><script type="module" src="/assets/index-abc123.js"></script>`)},
		"console/assets/index-abc123.js":   {Data: []byte("console.log(1)")},
		"console/assets/index-def456.css":  {Data: []byte("body{}")},
		"console/assets/logo-0a1b2c.svg":   {Data: []byte("<svg/>")},
		"console/assets/font-9f8e7d.woff2": {Data: []byte("wOF2")},
		"console/assets/data-1a2b3c.weird": {Data: []byte("?")},
	}
	c := console.New(public)
	if !c.Built() {
		t.Fatal("not Built() with console/index.html")
	}
	status, h, body := get(t, c, "/")
	if status != 200 || !strings.Contains(body, "/assets/index-abc123.js") || h.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET /: %d %q %q, want the built page, not cached without revalidation", status, h.Get("Cache-Control"), body)
	}
	for name, want := range map[string]string{
		"index-abc123.js":   "text/javascript; charset=utf-8",
		"index-def456.css":  "text/css; charset=utf-8",
		"logo-0a1b2c.svg":   "image/svg+xml",
		"font-9f8e7d.woff2": "font/woff2",
		"data-1a2b3c.weird": "application/octet-stream",
	} {
		status, h, body := get(t, c, "/assets/"+name)
		if status != 200 || h.Get("Content-Type") != want || body != string(public["console/assets/"+name].Data) {
			t.Errorf("GET /assets/%s: %d %q %q, want 200 %s with the file", name, status, h.Get("Content-Type"), body, want)
		}
		if cc := h.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("GET /assets/%s: Cache-Control %q, want a year, immutable", name, cc)
		}
	}
	for _, path := range []string{"/assets/missing-000000.js", "/assets/", "/assets/../index.html", "/assets/%2e%2e/index.html", "/assets/sub/../index-abc123.js"} {
		status, h, body := get(t, c, path)
		var env struct{ Code int }
		if status != 404 || h.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &env) != nil || env.Code != consts.CodeNotFound.Code() {
			t.Errorf("GET %s: %d %s %q, want a JSON 404", path, status, h.Get("Content-Type"), body)
		}
	}
}

// TestAPIPage: /api is the API page of the build, revalidated every time; without a build it is
// the page that says how to build the console (which brings the API page); a build without an
// API page has none.
func TestAPIPage(t *testing.T) {
	apiPage := `<!doctype html><title>Pulse API</title><script type="module" src="/assets/api-abc123.js"></script>`
	built := console.New(fstest.MapFS{
		"index.html":         {Data: []byte(fallbackPage)},
		"console/index.html": {Data: []byte(`<!doctype html><title>Pulse</title>`)},
		"console/api.html":   {Data: []byte(apiPage)},
	})
	status, h, body := get(t, built, console.APIPage)
	if status != 200 || body != apiPage || h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET /api: %d %s %q %q, want the API page, revalidated", status, h.Get("Content-Type"), h.Get("Cache-Control"), body)
	}
	if status, _, body := get(t, console.New(fstest.MapFS{"index.html": {Data: []byte(fallbackPage)}}), console.APIPage); status != 200 || body != fallbackPage {
		t.Errorf("GET /api without a build: %d %q, want the page saying how to build", status, body)
	}
	older := console.New(fstest.MapFS{"console/index.html": {Data: []byte(`<!doctype html>`)}})
	if status, _, _ := get(t, older, console.APIPage); status != 404 {
		t.Errorf("GET /api of a build without an API page: %d, want 404", status)
	}
}

// TestFavicon: /favicon.ico and /favicon.svg answer the build's icon as SVG; a binary without
// the build answers a default icon, never a 404.
func TestFavicon(t *testing.T) {
	icon := `<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>`
	built := console.New(fstest.MapFS{
		"console/index.html":  {Data: []byte("<!doctype html>")},
		"console/favicon.svg": {Data: []byte(icon)},
	})
	for _, path := range []string{"/favicon.ico", "/favicon.svg"} {
		status, h, body := get(t, built, path)
		if status != 200 || h.Get("Content-Type") != "image/svg+xml" || body != icon {
			t.Errorf("GET %s: %d %q %q, want 200 image/svg+xml with the build's icon", path, status, h.Get("Content-Type"), body)
		}
	}
	bare := console.New(fstest.MapFS{"index.html": {Data: []byte(fallbackPage)}})
	status, h, body := get(t, bare, "/favicon.ico")
	if status != 200 || h.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body, "<svg") {
		t.Errorf("GET /favicon.ico without a build: %d %q %q, want a default SVG icon", status, h.Get("Content-Type"), body)
	}
}

// TestAppFiles: the service worker, the manifest and the icons are served at the root from the
// build (the worker must be at "/" to control the console), revalidated on every use; without
// the build they are 404.
func TestAppFiles(t *testing.T) {
	built := console.New(fstest.MapFS{
		"console/index.html":           {Data: []byte("<!doctype html>")},
		"console/sw.js":                {Data: []byte("// worker")},
		"console/manifest.webmanifest": {Data: []byte(`{"name":"Pulse"}`)},
		"console/icons/icon-192.png":   {Data: []byte("\x89PNG")},
		"console/icons/icon-512.png":   {Data: []byte("\x89PNG")},
		"console/icons/other.png":      {Data: []byte("\x89PNG")},
	})
	want := map[string]string{"/sw.js": "text/javascript; charset=utf-8", "/manifest.webmanifest": "application/manifest+json",
		"/icons/icon-192.png": "image/png", "/icons/icon-512.png": "image/png"}
	for path, typ := range want {
		status, h, _ := get(t, built, path)
		if status != 200 || h.Get("Content-Type") != typ || h.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: %d %q %q, want 200 %s no-cache", path, status, h.Get("Content-Type"), h.Get("Cache-Control"), typ)
		}
	}
	if status, _, _ := get(t, built, "/icons/other.png"); status != 404 {
		t.Errorf("GET a file of the build that is not an app file: %d, want 404", status)
	}
	bare := console.New(fstest.MapFS{"index.html": {Data: []byte(fallbackPage)}})
	if status, _, body := get(t, bare, "/sw.js"); status != 404 || !strings.Contains(body, "make web") {
		t.Errorf("GET /sw.js without a build: %d %q", status, body)
	}
}
