// Package notify delivers alarms to people who are not looking: routes, outlets, the outbox and
// the dispatcher. It imports no GoFrame; the app wires it (internal/app/notify.go) and the alarm
// store calls it inside its commits.
//
// How a notification travels:
//
//   - Planning (Router.Plan) happens in the alarm store's commit, in memory: each event (raised,
//     repeated, acked, cleared, unsilenced) is matched against the routes, and the rows it makes
//     (one per route, step, outlet, target) and the timers it sets or stops are written by
//     WritePlan in the same transaction as the event. An event is stored with its notifications or
//     not at all.
//   - A row's id is Key.ID: "msg_" + 26 lower-case base32 characters of SHA-256 of the key. It never
//     changes, so receivers deduplicate by it.
//   - The Dispatcher reads due rows, leases them (lease_owner, lease_until: one node at a time; a
//     dead node's lease runs out and another node sends the row, with the same id) and keeps a
//     lane per (outlet, target, alarm): while one row of a lane is being sent, the lane waits; an
//     older row waiting behind a newer one is superseded by it (the latest state wins), and the
//     newer one supersedes the older ones still waiting for a retry. Lanes of different alarms
//     never wait for each other.
//   - A send is given up at two thirds of the lease, so the first sender is gone before another may
//     take the row. Outcomes (sent, retrying with back-off or Retry-After, failed, superseded) are
//     stored in batches, each row's attempt as a Record, the row leaving the outbox when done.
//   - Timers (reminders, escalations) are rows of their own, by route and step name; a timer fires
//     in one transaction under the alarm store's commit lock, so an acknowledgement committing at
//     the same moment either removed it or sees (and cancels) what it made.
//
// Push outlets (PushOutlet: fcm, apns, webpush) have no configured targets: the router makes one
// row for the outlet, and insertRows, in the same transaction, makes of it one row per registered
// device (internal/device) of the outlet's platform whose owner's scope and filter select the
// alarm, taken from the node's copy of the devices (device.Cache, current by pulse_device_gen).
// The dispatcher reads the device as it sends (one deleted or expired since fails without a try),
// and removes it when the push service says it is gone, without disabling the outlet.
//
// Notices to one user (NoticePusher) use the push outlets without the outbox: they are not stored
// (the sockets get them live), so a bounded queue on the node that accepted one sends it to that
// user's devices the same rule selects (device.Selects), best effort, dropping when full.
//
// Outlets implement Outlet and register a constructor with RegisterOutletType from an init
// function; NewOutlet builds one from its OutletConfig. Silences (Silencer) and ack links (Links)
// are plugged in by their own packages: Router.SetSilencer, Dispatcher.SetLinks. A silence that
// ends makes an "unsilenced" event of each alarm it held, planned like any other in the commit
// that ends it (after the silence is gone from the Silencer); only an alarm still active, not
// acknowledged, is notified.
package notify
