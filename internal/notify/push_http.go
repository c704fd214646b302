package notify

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"
)

// pushClient is the HTTP client of a push outlet: HTTP/2 when the server offers it (APNs requires
// it), connections kept for the dispatcher's concurrent sends, no redirect followed (a push
// service never redirects; a redirect would carry a token elsewhere), and, with caFile, trusting
// only the certificates of that file (a proxy or a test server).
func pushClient(caFile string) (*http.Client, error) {
	t := keepAlive()
	t.ForceAttemptHTTP2 = true
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("caFile: cannot read %q", caFile)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("caFile: %q holds no PEM certificate", caFile)
		}
		t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: t, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, nil
}

// pushEndpoint checks a push outlet's endpoint (def when empty) and returns it and where it is
// (scheme://host, the only part an error shows).
func pushEndpoint(raw, def string) (endpoint, where string, err error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", "", errors.New("endpoint must be an absolute http(s) URL")
	}
	return raw, u.Scheme + "://" + u.Host, nil
}
