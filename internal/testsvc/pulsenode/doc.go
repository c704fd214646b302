// Package pulsenode is the tests' node harness: a real Pulse server (internal/app's own wiring) on
// a free port in the test's process, and the HTTP and WebSocket clients the tests talk to it with.
//
//   - Start(t, edit) starts a node with config.Default changed by edit (nil: none) and an SQLite
//     alarm store of its own in t.TempDir(); StartWith also runs prepare on the app before it
//     starts. The node is shut down when the test ends.
//   - StartAuth starts one with auth on (WithAuth: tokens from Token or Sign, the IngestKeys);
//     a node whose Credentials is set sends what lets a request do anything, unless it carries
//     its own.
//   - The alarm store's dialect is the link's: edit cfg.Database (testsvc.EachDatabase gives
//     MariaDB and PostgreSQL links, SQLiteLink one in a folder).
//   - StartCluster starts nodes sharing a Redis bus and a database (ClusterConfig, Channel).
//
// It imports internal/app, so only external test packages (package foo_test) may use it: a test
// in package middleware importing it would be an import cycle. Package testsvc, which internal
// tests use for the machine's services, imports nothing of Pulse's.
package pulsenode
