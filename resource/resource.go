// Package resource embeds the files the server serves itself, so the binary runs from any folder.
package resource

import "embed"

// Public holds the web console: public/console is the build of web/console (make web; not
// committed), public/index.html the page served in its place when a binary is built without it.
//
//go:embed all:public
var Public embed.FS
