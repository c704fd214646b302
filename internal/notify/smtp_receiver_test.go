package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// smtpReceiver is a real SMTP server (github.com/emersion/go-smtp) on a loopback port, which
// records what it received and whether TLS was on when it did.
type smtpReceiver struct {
	addr     string
	server   *smtp.Server
	user     string // AUTH PLAIN accepts this user with password "pw"; "" = no AUTH offered
	rcptFail error  // answered to RCPT TO when set

	mu   sync.Mutex
	mail []receivedMail
}

type receivedMail struct {
	from   string
	to     []string
	data   []byte
	tls    bool   // the session was encrypted when the message came
	authAs string // the user that authenticated, "" when none did
}

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pulse test relay"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startSMTP starts a receiver. tlsMode: "starttls" offers STARTTLS, "implicit" speaks TLS from
// the first byte, "" offers no TLS at all.
func startSMTP(t *testing.T, tlsMode string, cert tls.Certificate, configure func(*smtpReceiver)) *smtpReceiver {
	t.Helper()
	r := &smtpReceiver{}
	if configure != nil {
		configure(r)
	}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{r: r, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ErrorLog = testLogger{t}
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch tlsMode {
	case "starttls":
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	case "implicit":
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		l = tls.NewListener(l, s.TLSConfig)
	}
	r.addr, r.server = l.Addr().String(), s
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return r
}

func (r *smtpReceiver) received() []receivedMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedMail(nil), r.mail...)
}

type smtpSession struct {
	r      *smtpReceiver
	conn   *smtp.Conn
	cur    receivedMail
	authAs string
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.r.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.r.user || password != "pw" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		s.authAs = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.user != "" && s.authAs == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.cur = receivedMail{from: from, authAs: s.authAs}
	_, s.cur.tls = s.conn.TLSConnectionState()
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.r.rcptFail != nil {
		return s.r.rcptFail
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s.cur.data = b.Bytes()
	s.r.mu.Lock()
	s.r.mail = append(s.r.mail, s.cur)
	s.r.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = receivedMail{} }
func (s *smtpSession) Logout() error { return nil }

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }
