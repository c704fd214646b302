// Package webpush sends Web Push messages: RFC 8030 requests to a browser's push service,
// their payload encrypted per RFC 8291 (the aes128gcm content coding of RFC 8188) and signed
// with VAPID (RFC 8292). It uses only the standard library's crypto and knows nothing of
// alarms; the notify package's webpush outlet builds the payload.
//
// A subscription's endpoint is a URL a browser chose, so a user chose it: CheckEndpoint refuses
// what Pulse must never connect to (plain http, hosts outside the configured list, addresses on
// the operator's own networks), and the Sender checks the address again when it dials (after
// DNS, so a name that resolves elsewhere later is still refused) and follows no redirect.
package webpush
