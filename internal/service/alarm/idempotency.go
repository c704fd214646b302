package alarm

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/gogf/gf/v2/errors/gerror"

	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// DefaultIdempotencyWindow is how long a key's answer is kept when Options leaves it unset.
const DefaultIdempotencyWindow = 24 * time.Hour

// RaiseOnce is Raise for a request that carried an Idempotency-Key. If key was stored within the
// window with the same body, nothing is applied and the stored receipts are returned, replayed
// true; with another body it is refused (422 code 1422). Else the alarms are raised and key is
// stored with their receipts in the same transaction. A failed commit stores nothing.
func (s *Service) RaiseOnce(ctx context.Context, key idempotency.Key, items []model.AlarmBusinessData, clearedBy string) (receipts []model.AlarmReceipt, replayed bool, err error) {
	return s.raise(items, clearedBy, &key)
}

// result is the answer of a committed claim: its own receipts, or those stored for its key.
func (c *claim) result() (receipts []model.AlarmReceipt, replayed bool, err error) {
	switch {
	case c.err != nil:
		return nil, false, c.err
	case c.replayed:
		if err := json.Unmarshal(c.answer, &receipts); err != nil {
			return nil, false, gerror.Wrapf(err, "alarm store: the answer stored for %s %q is not valid JSON", idempotency.Header, c.key.Name)
		}
		return receipts, true, nil
	}
	return receiptsOf(c.ops), false, nil
}

// KillAfterCommitEnv names a test hook, for internal/cmd's tests only: when the environment sets
// it to an Idempotency-Key, the process kills itself (SIGKILL) right after the commit that stored
// that key, before the bus hears of the alarms and before the request is answered, as a crash at
// the worst moment would. Never set it in production.
const KillAfterCommitEnv = "PULSE_TEST_KILL_AFTER_COMMIT"

var killAfterCommit = os.Getenv(KillAfterCommitEnv)

// dieIfKeyCommitted is the KillAfterCommitEnv hook: ops were just committed.
func dieIfKeyCommitted(ops []*op) {
	for _, o := range ops {
		if o.claim != nil && o.claim.fresh && o.claim.key.Name == killAfterCommit {
			p, err := os.FindProcess(os.Getpid())
			if err == nil {
				_ = p.Kill()
			}
			select {} // the signal is on its way
		}
	}
}
