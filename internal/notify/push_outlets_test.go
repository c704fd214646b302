package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/notify"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

func pushOutlet(t *testing.T, cfg notify.OutletConfig) notify.PushOutlet {
	t.Helper()
	o, err := notify.NewOutlet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o.(notify.PushOutlet)
}

func pushNote(alarmID, level, title string) notify.Notification {
	return notify.Notification{ID: "msg_" + alarmID, Kind: notify.KindRaised, Alarms: []notify.Alarm{{Seq: 7, Alarm: model.Alarm{
		AlarmBusinessData: model.AlarmBusinessData{AlarmId: alarmID, BusinessType: "meter", BusinessId: "m-1", Level: level, Title: title}}}}}
}

// TestAPNsStandInRefuses: the APNs stand-in refuses what APNs refuses (so the flow tests would
// fail if the outlet did it): HTTP/1.1, a provider token signed by another key, with another kid,
// or older than an hour, a wrong topic, a payload over 4 KB.
func TestAPNsStandInRefuses(t *testing.T) {
	a := pushsvc.NewAPNs(t)
	pem, _ := os.ReadFile(a.CAFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}}}}
	h2 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	key, err := jwt.ParseECPrivateKeyFromPEM(must(os.ReadFile(a.KeyFile)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sign := func(k *ecdsa.PrivateKey, kid string, iat time.Time) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": a.TeamID, "iat": iat.Unix()})
		tok.Header["kid"] = kid
		s, _ := tok.SignedString(k)
		return s
	}
	post := func(c *http.Client, jwtStr, topic, body string) int {
		req, _ := http.NewRequest(http.MethodPost, a.Srv.URL+"/3/device/"+pushsvc.DeviceToken(1), strings.NewReader(body))
		req.Header.Set("authorization", "bearer "+jwtStr)
		req.Header.Set("apns-topic", topic)
		req.Header.Set("apns-push-type", "alert")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	good, payload := sign(key, a.KeyID, time.Now()), `{"aps":{"alert":{"title":"t","body":"b"}}}`
	if s := post(h2, good, a.Topic, payload); s != 200 {
		t.Fatalf("a good request: %d", s)
	}
	for name, s := range map[string]int{
		"HTTP/1.1":       post(h1, good, a.Topic, payload),
		"another key":    post(h2, sign(other, a.KeyID, time.Now()), a.Topic, payload),
		"another kid":    post(h2, sign(key, "OTHERKID00", time.Now()), a.Topic, payload),
		"an old token":   post(h2, sign(key, a.KeyID, time.Now().Add(-61*time.Minute)), a.Topic, payload),
		"another topic":  post(h2, good, "com.example.other", payload),
		"a 5 KB payload": post(h2, good, a.Topic, `{"aps":{"alert":{"title":"`+strings.Repeat("x", 5000)+`"}}}`),
	} {
		if s == 200 {
			t.Errorf("%s: accepted", name)
		}
	}
	if got := len(a.Pushes()); got != 1 {
		t.Errorf("%d pushes accepted, want the good one", got)
	}
}

// TestFCMStandInRefuses: the FCM stand-in refuses an access token it did not grant, and grants
// none for an assertion signed by another key or of another scope.
func TestFCMStandInRefuses(t *testing.T) {
	f := pushsvc.NewFCM(t)
	req, _ := http.NewRequest(http.MethodPost, f.Srv.URL+"/v1/projects/"+f.Project+"/messages:send", strings.NewReader(`{"message":{"token":"x"}}`))
	req.Header.Set("Authorization", "Bearer ya29.made-up")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a made-up access token: %d", resp.StatusCode)
	}
	// An outlet whose service-account file holds another key gets no token, so sends nothing.
	other := pushsvc.NewFCM(t)
	raw, _ := os.ReadFile(other.CredentialsFile)
	forged := strings.Replace(string(raw), other.Srv.URL, f.Srv.URL, 1)
	forged = strings.Replace(forged, `"project_id":"`+other.Project, `"project_id":"`+f.Project, 1)
	path := t.TempDir() + "/forged.json"
	if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	o := pushOutlet(t, notify.OutletConfig{Name: "android", Type: "fcm", CredentialsFile: path, Endpoint: f.Srv.URL})
	err = o.SendDevice(context.Background(), &device.Device{Platform: device.FCM, Token: "x"}, pushNote("a1", "major", "t"))
	if err == nil || f.Grants() != 0 || len(f.Pushes()) != 0 {
		t.Errorf("another key's assertion: %v, %d grants, %d pushes", err, f.Grants(), len(f.Pushes()))
	}
}

// TestPushOutletsReuseTheirTokens: the FCM outlet asks for one access token for many sends, the
// APNs outlet signs one provider token for many (Apple throttles a token renewed per request);
// APNs 429 with Retry-After is a retry after that long; a title too long for 4 KB is cut.
func TestPushOutletsReuseTheirTokens(t *testing.T) {
	f, a := pushsvc.NewFCM(t), pushsvc.NewAPNs(t)
	fcm := pushOutlet(t, notify.OutletConfig{Name: "android", Type: "fcm", CredentialsFile: f.CredentialsFile, Endpoint: f.Srv.URL})
	apns := pushOutlet(t, notify.OutletConfig{Name: "ios", Type: "apns", KeyFile: a.KeyFile, KeyID: a.KeyID, TeamID: a.TeamID,
		Topic: a.Topic, Endpoint: a.Srv.URL, CAFile: a.CAFile})
	ctx := context.Background()
	for i := range 5 {
		n := pushNote("a"+string(rune('0'+i)), "critical", strings.Repeat("é", 3000)) // 6000 bytes of title
		if err := fcm.SendDevice(ctx, &device.Device{Platform: device.FCM, Token: "tok"}, n); err != nil {
			t.Fatal(err)
		}
		if err := apns.SendDevice(ctx, &device.Device{Platform: device.APNs, Token: pushsvc.DeviceToken(1)}, n); err != nil {
			t.Fatal(err)
		}
	}
	if f.Grants() != 1 {
		t.Errorf("fcm asked for %d access tokens for 5 sends, want 1", f.Grants())
	}
	providers := map[string]bool{}
	for _, p := range a.Pushes() {
		providers[p.Provider] = true
		if len(p.Raw) > 4096 || !strings.HasPrefix(p.Payload["title"].(string), "éé") {
			t.Errorf("apns payload of %d bytes, title %.20q", len(p.Raw), p.Payload["title"])
		}
	}
	if len(a.Pushes()) != 5 || len(providers) != 1 {
		t.Errorf("apns: %d pushes with %d provider tokens, want 5 with 1", len(a.Pushes()), len(providers))
	}
	a.Answer = func(string) (int, string, http.Header) {
		return http.StatusTooManyRequests, "TooManyRequests", http.Header{"Retry-After": {"7"}}
	}
	err := apns.SendDevice(ctx, &device.Device{Platform: device.APNs, Token: pushsvc.DeviceToken(1)}, pushNote("b", "major", "t"))
	var se *notify.SendError
	if !errors.As(err, &se) || se.Permanent || se.RetryAfter != 7*time.Second || !strings.Contains(se.Reason, "TooManyRequests") {
		t.Errorf("apns 429: %#v", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
