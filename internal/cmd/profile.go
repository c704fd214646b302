package cmd

import (
	"context"
	"runtime"

	"github.com/gogf/gf/v2/frame/g"
)

// profileHeapOnlyIfAsked turns the Go runtime's heap profiling off unless the operator turned
// GoFrame's pprof endpoints on (server.pprofEnabled): nothing else reads the profile, and the
// runtime keeps a record for every distinct call stack it ever sampled, which it never frees.
// Under the soak those records were 1.8 MB after 8 minutes and still growing by 13 KB a minute
// (go_memstats_buck_hash_sys_bytes), new stacks appearing as connections come and go. With the
// endpoints on, the rate is the runtime's: one allocation sampled per 512 KiB, or what
// GODEBUG=memprofilerate=N asks (2048 names what a soak's few hundred KB of growth is made of).
func profileHeapOnlyIfAsked(ctx context.Context) {
	if !g.Cfg().MustGet(ctx, "server.pprofEnabled").Bool() {
		runtime.MemProfileRate = 0
	}
}
