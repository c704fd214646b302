package silence

import "fmt"

// Limits bound the silences in force (active, or made to start later): a silence is a row every
// commit and every node's copy goes through, so an unbounded number of them (a script making one a
// minute) would slow every alarm. A silence that ended, was deleted, or whose end has passed
// (whether or not the store has ended it yet) leaves room at once.
type Limits struct {
	Total      int // in all
	PerCreator int // of one creator (a token's sub)
}

// Defaults of Limits (notify.maxSilences, notify.maxSilencesPerCreator).
const (
	DefaultMaxSilences           = 1000
	DefaultMaxSilencesPerCreator = 100
)

// DefaultLimits are the limits when the configuration says nothing.
func DefaultLimits() Limits {
	return Limits{Total: DefaultMaxSilences, PerCreator: DefaultMaxSilencesPerCreator}
}

// Room is nil when one more silence of creator fits beside the silences of list in force at now,
// else the reason, naming the limit and its configuration key. A zero limit bounds nothing.
func (l Limits) Room(list []*Silence, creator string, now int64) error {
	total, mine := 0, 0
	for _, s := range list {
		if s.Ended || (!s.UntilCleared && s.EndsAt <= now) {
			continue
		}
		total++
		if s.CreatedBy == creator {
			mine++
		}
	}
	if l.Total > 0 && total >= l.Total {
		return fmt.Errorf("there are %d silences in force, the most allowed (notify.maxSilences): delete one, or wait for one to end, before making another", total)
	}
	if l.PerCreator > 0 && mine >= l.PerCreator {
		return fmt.Errorf("%s has %d silences in force, the most one user may have (notify.maxSilencesPerCreator): delete one, or wait for one to end, before making another", creator, mine)
	}
	return nil
}
