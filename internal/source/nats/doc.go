// Package nats is the NATS JetStream ingest source (ingest.nats): it consumes row data and alarms
// from a stream and publishes them through brokerin, so with HTTP ingest's validation and limits.
//
// The stream is created when absent, capturing the two subjects of the configuration with a
// bounded age (MaxAge 24h). Each kind has its own durable pull consumer, <durable>-rowdata and
// <durable>-alarm, shared by every node that names the same durable: JetStream hands each message
// to one of them, and row data never waits behind an alarm's commit.
//
// Every message is acknowledged explicitly, after its effect:
//
//   - done (row data published, alarm stored): Ack;
//   - refused (bad JSON, an invalid item, a business outside the source's scope, the pulse type):
//     Term, so that it is not redelivered forever, and a copy to deadLetter when set, with the
//     reason in the Pulse-Refused header;
//   - retry (the alarm store cannot write): NakWithDelay, so JetStream redelivers it later.
//
// A message a node took and never acknowledged (it was killed) goes to another node after AckWait.
// A redelivered alarm is stored once: its eventId, else its Nats-Msg-Id header, else its place in
// the stream, is its idempotency key (brokerin.Message.MessageID). Alarms are handled by a few
// workers at once, so that the store commits them together, each subject (business) by one
// worker, in order; row data one at a time, in order. What a message becomes (decoding,
// validation, scope, idempotency) is brokerin's; this package is the NATS side only, and knows
// nothing of GoFrame.
//
// The source never stops the node: a server that cannot be reached at start or later is retried
// (with the reason in the source's stats, which /readyz shows) until Stop.
package nats
