package loadgen

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// jwtWith is an unsigned-looking JWT whose payload is payload: the tool reads sub without
// verifying, so the signature part does not matter here.
func jwtWith(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2lnbmF0dXJl"
}

func TestTokenSubject(t *testing.T) {
	if sub, err := tokenSubject(jwtWith(`{"sub":"bench","exp":1}`)); err != nil || sub != "bench" {
		t.Fatalf("got %q, %v", sub, err)
	}
	for name, token := range map[string]string{
		"not a JWT":       "abc",
		"payload not b64": "a.b!c.d",
		"not JSON":        jwtWith(`sub=bench`),
		"no sub":          jwtWith(`{"exp":1}`),
		"a line break":    jwtWith(`{"sub":"bench"}`) + "\r\nX-Evil: 1",
	} {
		if _, err := tokenSubject(token); err == nil || !strings.HasPrefix(err.Error(), "--token: ") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// TestBadCredentials: a token without sub or a key that cannot be a header's value are errors
// before anything is dialled, and the error does not show them.
func TestBadCredentials(t *testing.T) {
	base := Config{Addrs: []string{"x"}, Subs: 1, Keys: 1, Rates: []float64{1}, Duration: time.Second}
	noSub := base
	noSub.Token = jwtWith(`{"exp":1}`)
	badKey := base
	badKey.IngestKey = "secret-key\r\nX-Evil: 1"
	for _, cfg := range []Config{noSub, badKey} {
		err := cfg.check()
		switch {
		case err == nil:
			t.Errorf("%+v: no error", cfg)
		case strings.Contains(err.Error(), "secret-key") || strings.Contains(err.Error(), "eyJ"): // eyJ: base64 of {"
			t.Errorf("the error shows the credential: %v", err)
		}
	}
	good := base
	good.Token, good.IngestKey = jwtWith(`{"sub":"bench"}`), "aGVsbG8td29ybGQtaGVsbG8td29ybGQ"
	if err := good.check(); err != nil {
		t.Fatal(err)
	}
}

// TestWSSendsToken: the handshake carries the token as a bearer token to a real gorilla server,
// and a handshake without one carries no Authorization at all.
func TestWSSendsToken(t *testing.T) {
	got := make(chan http.Header, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		_, _, _ = ws.ReadMessage() // until the client goes
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	token := jwtWith(`{"sub":"bench"}`)

	c, err := wsDial(context.Background(), &net.Dialer{}, addr, "/ws", token, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.close(time.Now().Add(time.Second))
	if h := <-got; h.Get("Authorization") != "Bearer "+token || h.Get("Sec-WebSocket-Key") != wsKey {
		t.Errorf("with a token the server got Authorization %q, Sec-WebSocket-Key %q", h.Get("Authorization"), h.Get("Sec-WebSocket-Key"))
	}

	c, err = wsDial(context.Background(), &net.Dialer{}, addr, "/ws", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.close(time.Now().Add(time.Second))
	if h := <-got; h.Values("Authorization") != nil {
		t.Errorf("without a token the server got Authorization %q", h.Values("Authorization"))
	}
}

// TestSubscriberUser: with a token every subscriber's path names the token's sub; without, each its own.
func TestSubscriberUser(t *testing.T) {
	w := newSwarm(Config{Subs: 2, Keys: 1, Token: jwtWith(`{"sub":"wall display"}`)})
	if p := subscriberPath(7, 0, w.user); p != "/ws/rowdata/bench/k0/wall%20display" {
		t.Errorf("with a token: %s", p)
	}
	if p := subscriberPath(7, 0, newSwarm(Config{Subs: 2, Keys: 1}).user); p != "/ws/rowdata/bench/k0/bench-7" {
		t.Errorf("without a token: %s", p)
	}
}

// TestPublisherSendsKey: every POST carries the ingest key as a bearer token, and a refusal is
// counted as items not accepted, with the server's answer as the reason.
func TestPublisherSendsKey(t *testing.T) {
	const key = "aGVsbG8td29ybGQtaGVsbG8td29ybGQ"
	auths := make(chan string, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auths <- r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":61,"message":"not authorized"}`))
			return
		}
		_, _ = w.Write([]byte(`{"code":0,"message":"ok"}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	for _, k := range []string{key, ""} {
		pub := newPublisher([]string{addr}, 2, 8, k)
		st := newStepState(2)
		err := pub.run(context.Background(), st, 200, 50*time.Millisecond, 5)
		pub.close()
		if err != nil {
			t.Fatal(err)
		}
		if k == key && (st.published.Load() != 10 || st.failed.Load() != 0) {
			t.Errorf("with the key: %d accepted, %d failed (%s)", st.published.Load(), st.failed.Load(), st.firstErr)
		}
		if k == "" && (st.published.Load() != 0 || st.failed.Load() != 10 || !strings.Contains(st.firstErr, "HTTP 401")) {
			t.Errorf("without a key: %d accepted, %d failed (%s)", st.published.Load(), st.failed.Load(), st.firstErr)
		}
	}
	close(auths)
	for a := range auths {
		if a != "Bearer "+key && a != "" {
			t.Errorf("the server got Authorization %q", a)
		}
	}
}
