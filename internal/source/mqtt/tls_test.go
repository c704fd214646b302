package mqtt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
	"github.com/pulse-monitoring/pulse/internal/testsvc/poll"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pulsenode"
	"github.com/pulse-monitoring/pulse/internal/testsvc/syncbuf"
)

// TestTLSWithClientCertificate: a private Mosquitto that speaks only TLS and requires a client
// certificate signed by its CA; the node connects with tls.caFile, certFile and keyFile and an
// alarm published over TLS is stored.
func TestTLSWithClientCertificate(t *testing.T) {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		bin = "/usr/sbin/mosquitto"
		if _, statErr := os.Stat(bin); statErr != nil {
			testsvc.Missing(t, "the mosquitto binary", err)
			return
		}
	}
	dir := t.TempDir()
	ca := newCA(t)
	files := map[string][]byte{"ca.pem": ca.certPEM}
	files["server.pem"], files["server.key"] = ca.issue(t, "127.0.0.1", false)
	files["client.pem"], files["client.key"] = ca.issue(t, "pulse-node", true)
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	// user root: a mosquitto started as root otherwise drops to its own user, who cannot read the
	// test's folder; started as another user, it ignores the line.
	conf := fmt.Sprintf("user root\npersistence false\nlog_dest stderr\nlistener %d 127.0.0.1\nallow_anonymous true\n"+
		"cafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\n", port,
		filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"))
	if err := os.WriteFile(filepath.Join(dir, "mosquitto.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", filepath.Join(dir, "mosquitto.conf"))
	var logs syncbuf.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		testsvc.Missing(t, "a private mosquitto", err)
		return
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	broker := fmt.Sprintf("ssl://127.0.0.1:%d", port)

	b := newBroker(t)
	n := pulsenode.Start(t, func(c *config.Config) {
		m := config.DefaultMQTT()
		m.Broker, m.ClientID = broker, b.prefix+"-node"
		m.TLS = config.BrokerTLS{CAFile: filepath.Join(dir, "ca.pem"), CertFile: filepath.Join(dir, "client.pem"), KeyFile: filepath.Join(dir, "client.key")}
		c.Ingest.MQTT = m
	})
	if !poll.Until(func() bool { return n.Brokers[0].Stats().Ready(context.Background()) == nil }) {
		t.Fatalf("the node never connected over TLS: %v\nthe broker's log:\n%s", n.Brokers[0].Stats().Ready(context.Background()), logs.String())
	}

	cert, err := tls.X509KeyPair(files["client.pem"], files["client.key"])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca.certPEM)
	pub := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID(b.prefix + "-pub").
		SetTLSConfig(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	if tok := pub.Connect(); !tok.WaitTimeout(poll.Patience) || tok.Error() != nil {
		t.Fatalf("publisher over TLS: %v", tok.Error())
	}
	defer pub.Disconnect(50)
	if tok := pub.Publish("pulse/alarm/meter/m-1", 1, false, `{"alarmId":"over-tls"}`); !tok.WaitTimeout(poll.Patience) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	poll.Eventually(t, func() bool { return n.StoredAlarm("over-tls") != nil }, "the alarm published over TLS was not stored")
}

// testCA is a certificate authority of the test's own.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pulse test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a certificate for name (an IP for a server, a common name for a client) and its
// key, in PEM.
func (ca *testCA) issue(t *testing.T, name string, client bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.IPAddresses = []net.IP{net.ParseIP(name)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}
