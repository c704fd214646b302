// Package console serves the operator's console: the web app built from web/console into
// resource/public/console (make web), or, in a binary built without it, a page that says how to
// build it. The same build holds the API page (/api), which shows the server's /api.json.
package console

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/consts"
	"github.com/pulse-monitoring/pulse/internal/middleware"
)

// The files the console is made of, in the public folder.
const (
	builtIndex = "console/index.html"  // the built app's page
	builtAPI   = "console/api.html"    // the built API page
	assetsDir  = "console/assets"      // its scripts, styles and images, named by content hash
	fallback   = "index.html"          // committed: how to build the console
	builtIcon  = "console/favicon.svg" // the build's icon (web/console/public)
)

// Favicon and FaviconSVG are where the console's icon is served: browsers ask for /favicon.ico
// whatever the page links to, and get the SVG (which they all read).
const (
	Favicon    = "/favicon.ico"
	FaviconSVG = "/favicon.svg"
)

// defaultIcon is the icon of a binary built without the console: a pulse line.
const defaultIcon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f131a"/>` +
	`<path d="M3 17h7l3-8 5 15 3-7h8" fill="none" stroke="#4fc3f7" stroke-width="3"/></svg>`

// APIPage is where the API page is served.
const APIPage = "/api"

// AppFiles are the files that make the console an installable app, served at the root from the
// build (web/console/public): the service worker must be at "/" to control the whole console.
var AppFiles = []string{"/sw.js", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png"}

// Console serves "/", "/api" and "/assets/..." from a public folder (resource/public, embedded).
type Console struct {
	public fs.FS
	index  []byte
	api    []byte // nil without a build
	icon   []byte
	built  bool
}

// New serves the console in public: console/index.html when the build is there, else index.html.
func New(public fs.FS) *Console {
	c := &Console{public: public}
	if page, err := fs.ReadFile(public, builtIndex); err == nil {
		c.index, c.built = page, true
		c.api, _ = fs.ReadFile(public, builtAPI)
		c.icon, _ = fs.ReadFile(public, builtIcon)
	} else {
		c.index, _ = fs.ReadFile(public, fallback)
	}
	if c.icon == nil {
		c.icon = []byte(defaultIcon)
	}
	return c
}

// Built reports whether the console's build is there (else "/" says how to build it).
func (c *Console) Built() bool { return c.built }

// ServeHTTP answers GET "/" with the page, GET "/assets/<name>" with a file of the build and the
// icon's paths with the icon.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if name, ok := strings.CutPrefix(r.URL.Path, "/assets/"); ok {
		c.asset(w, name)
		return
	}
	if r.URL.Path == Favicon || r.URL.Path == FaviconSVG {
		h.Set("Content-Type", "image/svg+xml")
		h.Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(c.icon)
		return
	}
	if slices.Contains(AppFiles, r.URL.Path) {
		c.appFile(w, r.URL.Path)
		return
	}
	page := c.index
	switch {
	case r.URL.Path == APIPage && c.api != nil:
		page = c.api
	case r.URL.Path == APIPage && !c.built:
		// The fallback page says how to build the console, which brings the API page too.
	case r.URL.Path != "/":
		middleware.WriteHTTPError(w, gerror.NewCodef(consts.CodeNotFound, "no such page: %.128s", r.URL.Path))
		return
	}
	// The page names the current build's assets: a browser revalidates it every time.
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(page)
}

// appFile serves one of AppFiles. Their names do not change: a browser revalidates them (and
// checks the service worker for an update on every navigation anyway).
func (c *Console) appFile(w http.ResponseWriter, name string) {
	data, err := fs.ReadFile(c.public, "console"+name)
	if !c.built || err != nil {
		middleware.WriteHTTPError(w, gerror.NewCodef(consts.CodeNotFound, "no such file: %s (the console is not built: make web)", name))
		return
	}
	typ := contentType(name)
	if path.Ext(name) == ".webmanifest" {
		typ = "application/manifest+json"
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}

// asset serves one file of the build. Their names change with their content, so a browser may
// keep them for a year.
func (c *Console) asset(w http.ResponseWriter, name string) {
	file := path.Join(assetsDir, name)
	var data []byte
	err := fs.ErrNotExist
	if c.built && name != "" && fs.ValidPath(name) {
		data, err = fs.ReadFile(c.public, file)
	}
	if err != nil { // missing, a folder, or a name that is not one
		middleware.WriteHTTPError(w, gerror.NewCodef(consts.CodeNotFound, "no such file: /assets/%.128s", name))
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(data)
}

// contentType is the media type of a file of the build, by its extension. The types of web
// assets are fixed here: mime.TypeByExtension reads the machine's mime.types, which differs
// between machines (application/javascript, text/javascript, ...).
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := assetTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

var assetTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".html":  "text/html; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".ico":   "image/x-icon",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".wasm":  "application/wasm",
	".txt":   "text/plain; charset=utf-8",
	".mp3":   "audio/mpeg",
	".ogg":   "audio/ogg",
	".wav":   "audio/wav",
}
