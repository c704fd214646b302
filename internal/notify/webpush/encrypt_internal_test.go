package webpush

import (
	"crypto/ecdh"
	"testing"
)

// The example of RFC 8291 appendix A: its keys and salt give its message, byte for byte.
func TestEncryptGivesRFC8291Example(t *testing.T) {
	const want = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYW" +
		"AmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQ" +
		"exSgSxsj_Qulcy4a-fN"
	keys, err := ParseKeys(Keys{
		P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
		Auth:   "BTBZMqHH6r4Tts7J_aSIgg",
	})
	if err != nil {
		t.Fatal(err)
	}
	rawAS, _ := decodeB64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")
	as, err := ecdh.P256().NewPrivateKey(rawAS)
	if err != nil {
		t.Fatal(err)
	}
	salt, _ := decodeB64("DGv6ra1nlYgDCS1FRnbzlw")
	got, err := encrypt(keys, []byte("When I grow up, I want to be a watermelon"), as, salt)
	if err != nil {
		t.Fatal(err)
	}
	if b64.EncodeToString(got) != want {
		t.Fatalf("encrypt gave\n%s\nRFC 8291 appendix A has\n%s", b64.EncodeToString(got), want)
	}
}

func TestEncryptRefusesWhatDoesNotFit(t *testing.T) {
	keys, err := ParseKeys(Keys{
		P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
		Auth:   "BTBZMqHH6r4Tts7J_aSIgg",
	})
	if err != nil {
		t.Fatal(err)
	}
	body, err := Encrypt(keys, make([]byte, MaxPayload))
	if err != nil || len(body) != RecordSize {
		t.Fatalf("the largest payload: %d bytes, %v; want %d bytes", len(body), err, RecordSize)
	}
	if _, err := Encrypt(keys, make([]byte, MaxPayload+1)); err == nil {
		t.Fatal("a payload one byte too large was encrypted")
	}
}

func TestParseKeysRefusesBadKeys(t *testing.T) {
	for _, k := range []Keys{
		{P256dh: "", Auth: "BTBZMqHH6r4Tts7J_aSIgg"},
		{P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6", Auth: "BTBZMqHH6r4Tts7J_aSIgg"},
		{P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", Auth: "short"},
		{P256dh: "not base64!", Auth: "BTBZMqHH6r4Tts7J_aSIgg"},
	} {
		if _, err := ParseKeys(k); err == nil {
			t.Errorf("keys %+v were taken", k)
		}
	}
	// Browsers' keys are base64url; some libraries hand them padded or in standard base64.
	if _, err := ParseKeys(Keys{P256dh: "BCVxsr7N/eNgVRqvHtD0zTZsEc6+VV+JvLexhqUzORcxaOzi6+AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4=", Auth: "BTBZMqHH6r4Tts7J/aSIgg=="}); err != nil {
		t.Errorf("padded standard base64 keys: %v", err)
	}
}
