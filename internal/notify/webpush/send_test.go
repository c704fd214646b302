package webpush_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

func newSender(t *testing.T, p webpush.Policy) *webpush.Sender {
	t.Helper()
	pub, priv, err := webpush.GenerateVAPID()
	if err != nil {
		t.Fatal(err)
	}
	v, err := webpush.ParseVAPID(pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := webpush.NewSender(v, "mailto:ops@example.com", p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func subscription(t *testing.T, svc *pushsvc.WebPush, b *pushsvc.Browser) webpush.Subscription {
	t.Helper()
	raw, _ := json.Marshal(svc.Subscription(b))
	var sub webpush.Subscription
	if err := json.Unmarshal(raw, &sub); err != nil {
		t.Fatal(err)
	}
	return sub
}

// A push service that checks VAPID and decrypts takes what the Sender sends.
func TestSendReachesPushService(t *testing.T) {
	svc := pushsvc.NewWebPush(t)
	b := svc.NewBrowser()
	s := newSender(t, webpush.Policy{AllowHTTP: true})
	topic := "p9ulIZOeCEOqjfeAKmpqb4CM6zzL4Io5"
	payload := []byte(`{"alarmId":"over-voltage","level":"critical"}`)
	a, err := s.Send(context.Background(), subscription(t, svc, b), webpush.Message{Payload: payload, TTL: time.Hour, Urgency: "high", Topic: topic})
	if err != nil || a.Status != http.StatusCreated {
		t.Fatalf("send: %+v %v; messages %+v", a, err, svc.Messages())
	}
	m := svc.Messages()
	if len(m) != 1 || m[0].Err != "" || string(m[0].Plaintext) != string(payload) {
		t.Fatalf("the push service got %+v", m)
	}
	if h := m[0].Header; h.Get("TTL") != "3600" || h.Get("Urgency") != "high" || h.Get("Topic") != topic || len(topic) != 32 {
		t.Errorf("headers TTL %q Urgency %q Topic %q", h.Get("TTL"), h.Get("Urgency"), h.Get("Topic"))
	}

	// A subscription the service no longer knows: its status reaches the caller.
	svc.Answer(b, http.StatusGone)
	if a, err := s.Send(context.Background(), subscription(t, svc, b), webpush.Message{Payload: payload}); err != nil || a.Status != http.StatusGone {
		t.Fatalf("gone: %+v %v", a, err)
	}
}

// A name that resolves to a loopback address when Pulse connects is refused at the dial: no
// connection is made.
func TestSendRefusesLoopbackAtDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = c.Close()
		}
	}()
	s := newSender(t, webpush.Policy{})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	sub := webpush.Subscription{Endpoint: "https://localhost:" + port + "/push/1", Keys: webpush.Keys{
		P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", Auth: "BTBZMqHH6r4Tts7J_aSIgg"}}
	_, err = s.Send(context.Background(), sub, webpush.Message{Payload: []byte("x")})
	if !errors.Is(err, webpush.ErrEndpoint) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("send to localhost: %v; want the dial refused as loopback", err)
	}
	if n := accepted.Load(); n != 0 {
		t.Fatalf("%d connections reached the loopback listener", n)
	}
	// http is refused before anything is dialled.
	sub.Endpoint = "http://8.8.8.8/push/1"
	if _, err := s.Send(context.Background(), sub, webpush.Message{Payload: []byte("x")}); !errors.Is(err, webpush.ErrEndpoint) {
		t.Fatalf("send to http: %v", err)
	}
}

// A redirect is answered to the caller, never followed.
func TestSendFollowsNoRedirect(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/push/1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	s := newSender(t, webpush.Policy{AllowHTTP: true})
	sub := webpush.Subscription{Endpoint: "http://" + ln.Addr().String() + "/push/1", Keys: webpush.Keys{
		P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", Auth: "BTBZMqHH6r4Tts7J_aSIgg"}}
	a, err := s.Send(context.Background(), sub, webpush.Message{Payload: []byte("x")})
	if err != nil || a.Status != http.StatusTemporaryRedirect || followed.Load() != 0 {
		t.Fatalf("answer %+v, %v, followed %d times", a, err, followed.Load())
	}
}

func TestVAPIDKeysMustMatch(t *testing.T) {
	pub1, _, _ := webpush.GenerateVAPID()
	_, priv2, _ := webpush.GenerateVAPID()
	if _, err := webpush.ParseVAPID(pub1, priv2); err == nil || !strings.Contains(err.Error(), "not the public key") {
		t.Fatalf("mismatched pair: %v", err)
	}
	if _, err := webpush.ParseVAPID("abc", priv2); err == nil {
		t.Fatal("a bad public key was taken")
	}
	if _, err := webpush.NewSender(nil, "ops@example.com", webpush.Policy{}); err == nil {
		t.Fatal("a subject without mailto: was taken")
	}
}
