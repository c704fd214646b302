package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

func emailConfig(r *smtpReceiver, scheme string) OutletConfig {
	return OutletConfig{Name: "ops-mail", Type: "email", SMTP: scheme + "://" + r.addr,
		From: "Pulse <pulse@example.com>", To: []string{"oncall@example.com", "Boss <boss@example.com>"}}
}

// parsedMail is a received message with its parts decoded.
type parsedMail struct {
	header netmail.Header
	parts  map[string]string // content type → decoded body
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the received message does not parse: %v\n%s", err, raw)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", msg.Header.Get("Content-Type"))
	}
	p := parsedMail{header: msg.Header, parts: map[string]string{}}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		body, _ := io.ReadAll(part)
		p.parts[ct] = string(body)
	}
	return p
}

func TestEmailSTARTTLSDeliversBothParts(t *testing.T) {
	cert, pool := selfSigned(t)
	r := startSMTP(t, "starttls", cert, func(r *smtpReceiver) { r.user = "pulse" })
	cfg := emailConfig(r, "smtp")
	cfg.Username, cfg.Password = "pulse", "pw"
	o, err := newEmail(cfg, pool)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Targets(); len(got) != 2 || got[0] != "oncall@example.com" || got[1] != "boss@example.com" {
		t.Fatalf("targets %v, want one per address of to", got)
	}

	evil := testAlarm("a-2", "major", `Door <script>alert(1)</script> open`)
	evil.AckURL = ""
	n := testNotification("raised", testAlarm("a-1", "critical", "Over-voltage"), evil)
	if err := o.Send(context.Background(), "boss@example.com", n); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := r.received()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	m := got[0]
	if !m.tls || m.authAs != "pulse" {
		t.Fatalf("tls %v, authenticated as %q: want STARTTLS before MAIL and AUTH as pulse", m.tls, m.authAs)
	}
	if m.from != "pulse@example.com" || len(m.to) != 1 || m.to[0] != "boss@example.com" {
		t.Fatalf("envelope from %q to %v", m.from, m.to)
	}

	p := parseMail(t, m.data)
	var dec mime.WordDecoder
	subject, _ := dec.DecodeHeader(p.header.Get("Subject"))
	if want := "[CRITICAL] meter/m-001: Over-voltage (+1 more) (raised)"; subject != want {
		t.Errorf("Subject %q, want %q", subject, want)
	}
	if from, _ := dec.DecodeHeader(p.header.Get("From")); from != `"Pulse" <pulse@example.com>` {
		t.Errorf("From %q", from)
	}
	if to := p.header.Get("To"); to != "<boss@example.com>" {
		t.Errorf("To %q", to)
	}
	if id := p.header.Get("Message-Id"); id != "<msg_ABCDEFGHIJKLMNOPQRSTUVWXYZ@example.com>" {
		t.Errorf("Message-ID %q: want the notification's id, the same on every retry", id)
	}
	if p.header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted %q", p.header.Get("Auto-Submitted"))
	}
	if d, err := p.header.Date(); err != nil || !d.Equal(n.Timestamp) {
		t.Errorf("Date %v (%v), want the notification's time %v", d, err, n.Timestamp)
	}

	text, html := p.parts["text/plain"], p.parts["text/html"]
	for _, want := range []string{"Over-voltage", "voltage 262 V > 250 V", "Acknowledge: https://pulse.example.com/ack/tok-a-1", "route meters-urgent"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "/ack/") != 1 {
		t.Errorf("text part: want exactly one ack link (the second alarm has none):\n%s", text)
	}
	for _, want := range []string{`<a href="https://pulse.example.com/ack/tok-a-1"`, ">Acknowledge</a>", "voltage 262 V &gt; 250 V", "Door &lt;script&gt;alert(1)&lt;/script&gt; open"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Errorf("HTML part carries alarm text unescaped:\n%s", html)
	}
}

func TestEmailSMTPSImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	r := startSMTP(t, "implicit", cert, nil)
	o, err := newEmail(emailConfig(r, "smtps"), pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), "oncall@example.com", testNotification("cleared", testAlarm("a-1", "critical", "Over-voltage"))); err != nil {
		t.Fatalf("send: %v", err)
	}
	if got := r.received(); len(got) != 1 || !got[0].tls {
		t.Fatalf("received %d messages (tls %v), want 1 over TLS", len(got), len(got) == 1 && got[0].tls)
	}
}

func TestEmailRefusesPlaintextUnlessInsecure(t *testing.T) {
	cert, pool := selfSigned(t)
	n := testNotification("raised", testAlarm("a-1", "critical", "Over-voltage"))

	// A relay that offers no STARTTLS: refused, and nothing was sent in the clear.
	plain := startSMTP(t, "", cert, nil)
	o, err := newEmail(emailConfig(plain, "smtp"), pool)
	if err != nil {
		t.Fatal(err)
	}
	err = o.Send(context.Background(), "oncall@example.com", n)
	var se *SendError
	if !errors.As(err, &se) || se.Permanent || se.Where != "smtp://"+plain.addr {
		t.Fatalf("send without STARTTLS: %v, want a retryable *SendError at smtp://%s", err, plain.addr)
	}
	if len(plain.received()) != 0 {
		t.Fatal("a message went over a plaintext connection")
	}

	// insecure: true allows it (a local relay).
	cfg := emailConfig(plain, "smtp")
	cfg.Insecure = true
	if o, err = newEmail(cfg, pool); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), "oncall@example.com", n); err != nil {
		t.Fatalf("insecure send: %v", err)
	}
	if got := plain.received(); len(got) != 1 || got[0].tls {
		t.Fatalf("insecure: %d messages received", len(got))
	}

	// A relay whose certificate the outlet does not trust: refused too.
	tlsRelay := startSMTP(t, "starttls", cert, nil)
	if o, err = newEmail(emailConfig(tlsRelay, "smtp"), nil); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), "oncall@example.com", n); err == nil || len(tlsRelay.received()) != 0 {
		t.Fatalf("send to an untrusted certificate: %v, %d received", err, len(tlsRelay.received()))
	}
}

func TestEmailReplyCodes(t *testing.T) {
	cert, pool := selfSigned(t)
	n := testNotification("raised", testAlarm("a-1", "critical", "Over-voltage"))
	for _, tc := range []struct {
		reply     *smtp.SMTPError
		permanent bool
	}{
		{&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, true},
		{&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}, false},
	} {
		r := startSMTP(t, "starttls", cert, func(r *smtpReceiver) { r.rcptFail = tc.reply })
		o, err := newEmail(emailConfig(r, "smtp"), pool)
		if err != nil {
			t.Fatal(err)
		}
		err = o.Send(context.Background(), "oncall@example.com", n)
		var se *SendError
		if !errors.As(err, &se) || se.Status != tc.reply.Code || se.Permanent != tc.permanent {
			t.Fatalf("reply %d: got %#v (%v), want status %d permanent %v", tc.reply.Code, se, err, tc.reply.Code, tc.permanent)
		}
		if !strings.Contains(se.Error(), "smtp://"+r.addr) {
			t.Fatalf("error %q does not say where", se.Error())
		}
	}

	// A wrong password: the relay's 535 is permanent.
	r := startSMTP(t, "starttls", cert, func(r *smtpReceiver) { r.user = "pulse" })
	cfg := emailConfig(r, "smtp")
	cfg.Username, cfg.Password = "pulse", "wrong"
	o, err := newEmail(cfg, pool)
	if err != nil {
		t.Fatal(err)
	}
	err = o.Send(context.Background(), "oncall@example.com", n)
	var se *SendError
	if !errors.As(err, &se) || se.Status != 535 || !se.Permanent || strings.Contains(se.Error(), "wrong") {
		t.Fatalf("wrong password: %#v (%v), want a permanent 535 without the password", se, err)
	}
}

func TestEmailConfigRefused(t *testing.T) {
	good := OutletConfig{Name: "m", Type: "email", SMTP: "smtp://relay.example.com", From: "pulse@example.com", To: []string{"a@example.com"}}
	if o, err := NewOutlet(good); err != nil || o.Type() != "email" || o.(*emailOutlet).port != 587 {
		t.Fatalf("a good config: %v", err)
	}
	for name, edit := range map[string]func(*OutletConfig){
		"no smtp":        func(c *OutletConfig) { c.SMTP = "" },
		"bad scheme":     func(c *OutletConfig) { c.SMTP = "http://relay.example.com" },
		"creds in url":   func(c *OutletConfig) { c.SMTP = "smtp://u:secret@relay.example.com" },
		"a path":         func(c *OutletConfig) { c.SMTP = "smtp://relay.example.com/x" },
		"bad port":       func(c *OutletConfig) { c.SMTP = "smtp://relay.example.com:99999" },
		"smtps insecure": func(c *OutletConfig) { c.SMTP, c.Insecure = "smtps://relay.example.com", true },
		"bad from":       func(c *OutletConfig) { c.From = "pulse" },
		"no to":          func(c *OutletConfig) { c.To = nil },
		"bad to":         func(c *OutletConfig) { c.To = []string{"a@example.com", "nobody"} },
		"duplicate to":   func(c *OutletConfig) { c.To = []string{"a@example.com", "A <a@example.com>"} },
	} {
		cfg := good
		edit(&cfg)
		if _, err := NewOutlet(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}
	if _, err := newEmail(good, nil); err != nil {
		t.Fatal(err)
	}
}

func TestEmailUnknownTargetIsPermanent(t *testing.T) {
	o, err := newEmail(OutletConfig{SMTP: "smtp://relay.example.com", From: "pulse@example.com", To: []string{"a@example.com"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var se *SendError
	if err := o.Send(context.Background(), "b@example.com", testNotification("raised")); !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("send to an address not in to: %v", err)
	}
}
