package auth

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestVerifiedTokensAreRememberedNotTrusted: a token that verified is remembered, but never past
// its exp plus the leeway, nor past cacheFor; refusals are not remembered; the memory is bounded.
func TestVerifiedTokensAreRememberedNotTrusted(t *testing.T) {
	v := verifier(t, fullConfig(t)) // leeway 30s
	now := start
	v.now = func() time.Time { return now }
	ctx := context.Background()
	hs := func(with jwt.MapClaims) string {
		return mint(t, jwt.SigningMethodHS256, []byte(secret), claimsWith(with), "")
	}

	soon := hs(jwt.MapClaims{"exp": start.Add(10 * time.Second).Unix()})
	if _, err := v.Verify(ctx, soon); err != nil {
		t.Fatal(err)
	}
	now = start.Add(39 * time.Second) // within exp + leeway
	if _, err := v.Verify(ctx, soon); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	now = start.Add(41 * time.Second) // past exp + leeway: refused, remembered or not
	_, err := v.Verify(ctx, soon)
	refused(t, "a remembered token past exp", "", err, "the token has expired")

	// A token with a long life is forgotten after cacheFor and verified again (had its key been
	// withdrawn from the JWKS meanwhile, it would then be refused); a tampered copy never verifies.
	now = start
	long := hs(jwt.MapClaims{"exp": start.Add(time.Hour).Unix()})
	if _, err := v.Verify(ctx, long); err != nil {
		t.Fatal(err)
	}
	if e := v.cache.entries[long]; !e.until.Equal(start.Add(cacheFor)) {
		t.Errorf("remembered until %v, want %v (cacheFor)", e.until, start.Add(cacheFor))
	}
	now = start.Add(cacheFor)
	if _, ok := v.cache.get(long, now); ok {
		t.Error("remembered past cacheFor")
	}

	tampered := long[:len(long)-4] + "AAAA"
	for range 2 {
		_, err := v.Verify(ctx, tampered)
		refused(t, "tampered", "", err, "the token's signature does not verify")
	}

	for i := range cacheSize + 100 {
		if _, err := v.Verify(ctx, hs(jwt.MapClaims{"sub": "u" + strconv.Itoa(i)})); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(v.cache.entries); n > cacheSize {
		t.Errorf("%d tokens remembered, want at most %d", n, cacheSize)
	}
}
