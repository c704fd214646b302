// Package brokerin is what every broker source (ingest.mqtt, ingest.nats) shares: it turns one
// message into the items HTTP ingest would publish and says what the source must do with the
// message: acknowledge it (Done), acknowledge it although nothing was published (Refused: it can
// never succeed, so a redelivery would only repeat the refusal), or leave it unacknowledged
// (Retry: the store or the bus cannot take it now).
//
// Rules that are not obvious:
//
//   - No second validation path. The payload is decoded by service/ingest's Decode (strict JSON,
//     the same limits) and published through the same Service methods as POST /api/v1/rowdata and
//     /api/v1/alarm; the source's businesses are an ingest key's (ingestkey.ForSource), checked
//     by the service as a key's are.
//   - The topic names the business. A payload that names it too must agree, except where the
//     topic says "_" (Substitute): a business whose type or id cannot be a topic level or subject
//     token is sent with "_" there and named in the payload.
//   - "eventId" (a field of a message of one item) is the message's Idempotency-Key, scoped to
//     the source (as a key is to its credential), so that a redelivery never counts twice. The
//     key's body is the message's kind, topic business and payload: the same eventId with another
//     payload, or on another business's topic, is refused as reused, never taken for a repeat.
//     Without an eventId, the broker's own name for the message (Message.MessageID: JetStream's
//     Nats-Msg-Id or stream place) is the key, so that a JetStream redelivery never counts twice.
//   - Refusals are counted by reason and logged at most once per LogEvery per source.
//
// The package reads GoFrame error codes (gerror.Code) to classify the service's answers and
// nothing else of GoFrame: the sources and the wiring own the configuration and the log.
package brokerin
