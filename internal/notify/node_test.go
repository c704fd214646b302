package notify_test

import (
	"testing"

	"github.com/pulse-monitoring/pulse/internal/testsvc"
)

// The tests of this file's package notify_test run notifications on a real node
// (internal/testsvc/pulsenode); package notify's own tests run its parts alone.

// eachLink runs test on SQLite (link "": the node's own file), MariaDB and PostgreSQL.
func eachLink(t *testing.T, database string, test func(t *testing.T, link string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, "") })
	testsvc.EachDatabase(t, database, test)
}
