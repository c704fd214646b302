// Package pushsvc is local stand-ins for the push services Pulse cannot reach in tests: an APNs
// provider API and an FCM HTTP v1 API with its OAuth2 token endpoint. Each enforces its
// service's documented protocol (transport, authentication, headers, payload limits) and answers
// as the service does, refusals included, so that a test fails when Pulse would be refused by the
// real one. They are not the services: what their documentation leaves unsaid is not checked.
package pushsvc
