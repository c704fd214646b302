package nats

import (
	"time"

	"github.com/nats-io/nats.go"
)

// connectOptions are the connection's options: its name, credentials and TLS, and reconnection
// for ever (the source's only way to stop is Stop). A server that cannot be reached at the first
// attempt is retried like a lost one (RetryOnFailedConnect), so the node starts without it.
func (s *Source) connectOptions() ([]nats.Option, error) {
	a := s.opts.Auth
	opts := []nats.Option{
		nats.Name(s.opts.Name),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(s.retryDelay()),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.ConnectHandler(func(nc *nats.Conn) { s.connected(nc, "connected") }),
		nats.ReconnectHandler(func(nc *nats.Conn) { s.connected(nc, "reconnected") }),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if !nc.IsClosed() { // closed: Stop, not a lost server
				s.disconnected(err)
			}
		}),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) { s.reconnectFailed(err) }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { s.core.Warnf("%v", err) }),
	}
	switch {
	case a.CredsFile != "":
		opts = append(opts, nats.UserCredentials(a.CredsFile))
	case a.Token != "":
		opts = append(opts, nats.Token(a.Token))
	case a.Username != "":
		opts = append(opts, nats.UserInfo(a.Username, a.Password))
	}
	if a.CAFile != "" {
		opts = append(opts, nats.RootCAs(a.CAFile))
	}
	if a.CertFile != "" {
		opts = append(opts, nats.ClientCert(a.CertFile, a.KeyFile))
	}
	return opts, nil
}

func (s *Source) retryDelay() time.Duration {
	if s.opts.RetryDelay > 0 {
		return s.opts.RetryDelay
	}
	return time.Second
}
