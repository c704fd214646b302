package alarm

import "github.com/pulse-monitoring/pulse/internal/model"

// stateCache holds the state of the alarms this node's commits changed last, each with the seq of
// the event that made it, so that a commit that finds that same seq stored needs neither read nor
// decode the state (reading and decoding the JSON of every alarm a group repeats was about a
// quarter of a commit). The database stays the truth: an alarm another node changed since, or one
// purged and raised again, has another seq there, and its state is read as before.
//
// Only the committer uses it (commits are serialised), and only with what a commit made once the
// transaction succeeded. It holds at most maxBytes of encoded states, forgetting arbitrary ones
// beyond that.
type stateCache struct {
	entries  map[model.AlarmKey]cachedState
	bytes    int
	maxBytes int
}

type cachedState struct {
	storedAlarm
	size int // bytes of the encoded state
}

// stateCacheBytes bounds the cache: 32 MiB of states, about 50,000 alarms of 600 bytes.
const stateCacheBytes = 32 << 20

func newStateCache(maxBytes int) *stateCache {
	return &stateCache{entries: map[model.AlarmKey]cachedState{}, maxBytes: maxBytes}
}

// get returns the cached state of the alarm key if it is the one of event seq.
func (c *stateCache) get(key model.AlarmKey, seq int64) (*model.Alarm, bool) {
	e, ok := c.entries[key]
	if !ok || e.seq != seq {
		return nil, false
	}
	return e.state, true
}

// put remembers what a committed group made of the alarms it changed (each once), making room by
// forgetting others.
func (c *stateCache) put(changed []changedAlarm) {
	incoming := 0
	for _, a := range changed {
		if old, ok := c.entries[a.key]; ok {
			delete(c.entries, a.key)
			c.bytes -= old.size
		}
		incoming += keySize(a.key) + len(a.encoded)
	}
	for key, e := range c.entries { // map order is arbitrary: these are forgotten at random
		if c.bytes+incoming <= c.maxBytes {
			break
		}
		delete(c.entries, key)
		c.bytes -= e.size
	}
	for _, a := range changed {
		size := keySize(a.key) + len(a.encoded)
		if c.bytes+size > c.maxBytes {
			continue // a group larger than the whole cache: what does not fit is read when needed
		}
		c.entries[a.key] = cachedState{storedAlarm: a.storedAlarm, size: size}
		c.bytes += size
	}
}

// clear forgets every state. The states are small objects of many sizes, each allocated when its
// commit ran among the commit's short-lived ones: kept through a quiet spell, a few thousand of
// them hold as many of the Go heap's spans in use, which the runtime cannot give back.
func (c *stateCache) clear() {
	c.entries, c.bytes = map[model.AlarmKey]cachedState{}, 0
}

// keySize is the bytes of key's names.
func keySize(key model.AlarmKey) int {
	return len(key.BusinessType) + len(key.BusinessId) + len(key.AlarmId)
}
