package webpush_test

import (
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/notify/webpush"
)

// BenchmarkPushCrypto is the CPU of one push before the request: the payload's encryption (a
// fresh ECDH key pair, HKDF, AES-GCM) and the VAPID token's ES256 signature.
func BenchmarkPushCrypto(b *testing.B) {
	keys, err := webpush.ParseKeys(webpush.Keys{
		P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
		Auth:   "BTBZMqHH6r4Tts7J_aSIgg",
	})
	if err != nil {
		b.Fatal(err)
	}
	pub, priv, _ := webpush.GenerateVAPID()
	v, err := webpush.ParseVAPID(pub, priv)
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"alarmId":"over-voltage","seq":42,"level":"critical","title":"Over-voltage","businessType":"meter","businessId":"m-001","event":"raised","ackUrl":"https://pulse.example.com/ack/0123456789abcdef0123456789abcdef0123456789abcdef"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webpush.Encrypt(keys, payload); err != nil {
			b.Fatal(err)
		}
		if _, err := v.Authorization("https://fcm.googleapis.com/fcm/send/abc", "mailto:ops@example.com", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
