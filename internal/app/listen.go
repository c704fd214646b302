package app

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/gogf/gf/v2/errors/gerror"
)

// Listen opens the server's listening sockets on address, GoFrame's "host:port[,host:port]" form
// of server.address, with TCP keep-alive off on accepted connections: Pulse pings every WebSocket
// itself (ws.pingInterval) and closes it when the pong is late, so the kernel's probes find nothing
// new, while switching them on costs four setsockopt calls per accepted connection, about a tenth
// of a handshake's server CPU. The sockets share one connection budget, Config.Connections (see
// package connbudget): at the limit, the connection that has waited longest without completing a
// request is closed to make room. Without Listen the server opens its own sockets at Start, with
// no budget.
func (a *App) Listen(ctx context.Context, address string) error {
	lc := net.ListenConfig{KeepAlive: -1}
	var listeners []net.Listener
	for _, addr := range strings.Split(address, ",") {
		addr = strings.TrimSpace(addr)
		if addr == "" {
			continue
		}
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			for _, l := range listeners {
				_ = l.Close()
			}
			return gerror.Wrapf(err, "server.address %q", addr)
		}
		listeners = append(listeners, a.Connections.Wrap(ln))
	}
	if len(listeners) == 0 {
		return gerror.Newf("server.address %q: no address to listen on", address)
	}
	for _, l := range listeners {
		a.addresses = append(a.addresses, l.Addr().String())
	}
	return a.Server.SetListener(listeners...)
}

// Addresses are the addresses the server listens on, as bound (the port chosen for ":0").
func (a *App) Addresses() []string {
	if len(a.addresses) == 0 {
		return []string{fmt.Sprintf(":%d", a.Port())} // the server opened its own socket at Start
	}
	return a.addresses
}
