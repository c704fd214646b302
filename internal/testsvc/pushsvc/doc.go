// Package pushsvc is local stand-ins for the push services Pulse cannot reach in tests: an APNs
// provider API, an FCM HTTP v1 API with its OAuth2 token endpoint, and a Web Push service
// (RFC 8030, with RFC 8291 decryption and RFC 8292 VAPID checks). Each enforces its
// service's documented protocol (transport, authentication, headers, payload limits) and answers
// as the service does, refusals included, so that a test fails when Pulse would be refused by the
// real one. They are not the services: what their documentation leaves unsaid is not checked.
package pushsvc
