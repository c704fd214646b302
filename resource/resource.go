// Package resource embeds the files the server serves itself, so the binary runs from any folder.
package resource

import "embed"

// Public holds the web console (public/index.html), served at "/".
//
//go:embed public
var Public embed.FS
