package auth

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// UserRate limits the requests of each user (sub) on the people's API (auth.userRate): one
// user's scripts or stuck console cannot take the server's time from the others. Each sub has a
// token bucket of burst 2 x rate; a bucket left idle long enough to be full again is forgotten, so
// memory follows the users active in the last few seconds. It is safe for concurrent use.
type UserRate struct {
	limit rate.Limit
	burst int
	idle  time.Duration // how long an idle bucket takes to fill: then it is as good as a new one

	mu    sync.Mutex
	users map[string]*userBucket
	swept time.Time
}

type userBucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// NewUserRate limits each user to perSecond requests, burst twice that; nil (no limit) for 0.
func NewUserRate(perSecond float64) *UserRate {
	if perSecond <= 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return nil
	}
	burst := int(min(max(1, math.Ceil(2*perSecond)), math.MaxInt32))
	return &UserRate{limit: rate.Limit(perSecond), burst: burst,
		idle: time.Duration(float64(burst) / perSecond * float64(time.Second)), users: map[string]*userBucket{}}
}

// Allow takes one request of sub at now. Over the rate it returns false and how long to wait,
// in whole seconds and at least 1 s, for Retry-After. A nil UserRate allows everything.
func (u *UserRate) Allow(sub string, now time.Time) (ok bool, retryAfter time.Duration) {
	if u == nil {
		return true, 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if now.Sub(u.swept) >= u.idle {
		u.sweep(now)
	}
	b := u.users[sub]
	if b == nil {
		b = &userBucket{limiter: rate.NewLimiter(u.limit, u.burst)}
		u.users[sub] = b
	}
	b.seen = now
	if b.limiter.AllowN(now, 1) {
		return true, 0
	}
	secs := math.Ceil((1 - b.limiter.TokensAt(now)) / float64(u.limit))
	return false, time.Duration(min(max(1, secs), 24*60*60)) * time.Second
}

// sweep forgets the buckets idle long enough to be full again.
func (u *UserRate) sweep(now time.Time) {
	for sub, b := range u.users {
		if now.Sub(b.seen) >= u.idle {
			delete(u.users, sub)
		}
	}
	u.swept = now
}

// Len is the number of users whose buckets are remembered.
func (u *UserRate) Len() int {
	if u == nil {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.users)
}
