package webpush

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// Policy says which endpoints Pulse may send to. The zero Policy allows any https endpoint on a
// public address.
type Policy struct {
	// Hosts are the allowed hosts: "fcm.googleapis.com" names one, "*.push.apple.com" its
	// subdomains. Empty: any host.
	Hosts []string
	// AllowHTTP allows http endpoints and endpoints on loopback and private addresses: for tests
	// and closed networks only.
	AllowHTTP bool
}

// ErrEndpoint is the error CheckEndpoint's refusals wrap.
var ErrEndpoint = errors.New("the subscription's endpoint is refused")

// CheckEndpoint says whether raw may be a subscription's endpoint: an absolute https URL (http
// too with AllowHTTP), without user info, on a host of p.Hosts when that is set, whose name
// resolves only to public addresses (unless AllowHTTP). Nothing is sent to it.
func (p Policy) CheckEndpoint(ctx context.Context, raw string) error {
	u, err := p.checkURL(raw)
	if err != nil {
		return err
	}
	if p.AllowHTTP {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if what := addrProblem(ip); what != "" {
			return fmt.Errorf("%w: its host is %s", ErrEndpoint, what)
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("%w: its host %q does not resolve", ErrEndpoint, host)
	}
	for _, a := range addrs {
		if what := addrProblem(a); what != "" {
			return fmt.Errorf("%w: its host %q resolves to %s", ErrEndpoint, host, what)
		}
	}
	return nil
}

// checkURL is the part of the check that needs no DNS: the scheme and the host list.
func (p Policy) checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: it is not an absolute URL", ErrEndpoint)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowHTTP:
	case u.Scheme == "http":
		return nil, fmt.Errorf("%w: it is not https", ErrEndpoint)
	default:
		return nil, fmt.Errorf("%w: it is not an https URL", ErrEndpoint)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: it holds a user name", ErrEndpoint)
	}
	if len(p.Hosts) > 0 && !hostAllowed(p.Hosts, u.Hostname()) {
		return nil, fmt.Errorf("%w: its host %q is not one of notify outlet endpointHosts", ErrEndpoint, u.Hostname())
	}
	return u, nil
}

// hostAllowed matches host against the list: exact names, or "*.example.com" for any name
// below example.com.
func hostAllowed(list []string, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range list {
		h = strings.ToLower(h)
		if suffix, ok := strings.CutPrefix(h, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
		} else if host == h {
			return true
		}
	}
	return false
}

// refusedPrefixes are address ranges on the operator's side (or nobody's) that Pulse never
// connects to for a browser, beyond what netip's predicates name: CGNAT (RFC 6598), "this
// network" (0/8), benchmarking (RFC 2544), reserved (240/4, broadcast included), NAT64 (it
// embeds an IPv4 address of any kind) and the IPv4-compatible and 6to4 forms likewise.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("::/96"),
}

// addrProblem names what is wrong with ip, "" if nothing: loopback, link-local, private (RFC
// 1918, ULA), CGNAT, unspecified, multicast and reserved addresses are refused.
func addrProblem(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	var what string
	switch {
	case ip.IsLoopback():
		what = "a loopback address"
	case ip.IsLinkLocalUnicast():
		what = "a link-local address"
	case ip.IsPrivate():
		what = "a private address"
	case ip.IsUnspecified():
		what = "the unspecified address"
	case ip.IsMulticast():
		what = "a multicast address"
	default:
		for _, p := range refusedPrefixes {
			if p.Contains(ip) {
				what = "a reserved or private address (" + p.String() + ")"
				break
			}
		}
	}
	if what == "" {
		return ""
	}
	return what + " " + ip.String()
}

// dialControl refuses, after DNS, a connection to an address CheckEndpoint would refuse: a name
// that resolved to a public address at registration may resolve to an internal one later.
func dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read the address %q", ErrEndpoint, address)
	}
	if what := addrProblem(ap.Addr()); what != "" {
		return fmt.Errorf("%w: it would connect to %s", ErrEndpoint, what)
	}
	return nil
}
