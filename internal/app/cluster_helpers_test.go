package app_test

import (
	"fmt"
	"os"
	"time"

	"github.com/gogf/gf/v2/database/gdb"
	"github.com/gogf/gf/v2/database/gredis"

	"github.com/pulse-monitoring/pulse/internal/config"
)

// clusterConfig joins a node to the cluster of redisAddr, database link and a bus channel.
func clusterConfig(redisAddr, link, channel string) func(*config.Config) {
	return func(c *config.Config) {
		c.Bus = config.Bus{Type: "redis", Channel: channel}
		c.Redis = gredis.Config{Address: redisAddr}
		c.Database = gdb.ConfigNode{Link: link}
	}
}

// testChannel is a bus channel no other test run uses.
func testChannel() string {
	return fmt.Sprintf("pulse-test-%d-%d", os.Getpid(), time.Now().UnixNano())
}
