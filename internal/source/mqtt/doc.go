// Package mqtt is the MQTT ingest source (ingest.mqtt): it consumes row data and alarms from an
// MQTT broker and publishes them through brokerin, so with HTTP ingest's validation and limits.
//
// Rules that are not obvious:
//
//   - Two persistent sessions per node, <clientId>-rowdata and <clientId>-alarm (CleanSession
//     false, QoS 1): row data never waits behind an alarm's commit, and what a node did not
//     acknowledge stays with the broker for the same client id.
//   - Acknowledgement is manual. A message is acknowledged (PUBACK) only once brokerin says Done
//     (row data published, alarm committed) or Refused (it can never succeed). A message the
//     store cannot take now (Retry) is tried again in-process with back-off and never
//     acknowledged before it succeeds: MQTT 3.1.1 brokers redeliver only on a new connection, so
//     leaving it for the broker would hold it until a reconnect. A node stopped or killed before
//     the acknowledgement gets it again from the broker when it reconnects with the same client
//     id (or another member of the share group gets it).
//   - A session handles the messages of one topic (one business) one at a time, in the order they
//     arrive, so that a raise and the clear that follows it are applied in that order; messages
//     of different topics that are queued together are handled at the same time (they share
//     the alarm store's group commits). PUBACKs leave in the order of arrival.
//   - Messages that arrive before the subscription is made again (queued for the persistent
//     session) go to the client's default handler, which is the session's handler: paho would
//     otherwise drop them unacknowledged.
//   - The package knows nothing of GoFrame: the wiring (internal/app) gives it its options and
//     its log.
package mqtt
