package alarm

// The database drivers the alarm store supports, chosen by database.default.link. They are
// imported here, beside the code that opens the database, so every binary and test that stores
// alarms has them.
import (
	_ "github.com/gogf/gf/contrib/drivers/mysql/v2"
	_ "github.com/gogf/gf/contrib/drivers/pgsql/v2"
	_ "github.com/gogf/gf/contrib/drivers/sqlite/v2"
)
