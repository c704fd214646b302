package cmd

import "testing"

// TestClientAddr: a listen address on every interface is dialled on 127.0.0.1; a host is kept.
func TestClientAddr(t *testing.T) {
	for listen, want := range map[string]string{
		":8000": "127.0.0.1:8000", "0.0.0.0:9000": "127.0.0.1:9000", "[::]:8000": "127.0.0.1:8000",
		"10.0.0.5:8000": "10.0.0.5:8000", "pulse.example:80": "pulse.example:80", ":8000,:8443": "127.0.0.1:8000",
	} {
		if got := clientAddr(listen); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", listen, got, want)
		}
	}
}

// TestTokenSubject: the sub of a JWT's payload, or the default for anything else.
func TestTokenSubject(t *testing.T) {
	const alice = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln" // {"sub":"alice"}
	for token, want := range map[string]string{alice: "alice", "": "watch", "a.b.c": "watch", "not-a-token": "watch"} {
		if got := tokenSubject(token, "watch"); got != want {
			t.Errorf("tokenSubject(%q) = %q, want %q", token, got, want)
		}
	}
}
