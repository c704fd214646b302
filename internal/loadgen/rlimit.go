package loadgen

import (
	"fmt"
	"syscall"
)

// fileSlack is how many descriptors the tool needs besides its subscribers: HTTP publishers,
// health probes, standard streams.
const fileSlack = 64

// EnsureFileLimit raises the soft open-file limit to the hard one and reports an error when even
// the hard limit is below subs+64, the descriptors a run with subs subscribers needs.
func EnsureFileLimit(subs int) error {
	need := uint64(subs) + fileSlack
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("reading the open-file limit: %w", err)
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			lim = raised
		}
	}
	if lim.Cur < need {
		return fmt.Errorf("%d subscribers need %d open files (subscribers + %d), but this process may open "+
			"only %d (hard limit %d); raise the limit (ulimit -n, or LimitNOFILE= in a systemd unit) or use fewer --subs",
			subs, need, fileSlack, lim.Cur, lim.Max)
	}
	return nil
}
