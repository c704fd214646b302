// Package device is the phones and browsers that receive alarms by push: what a registration
// says, which alarms a device receives, and the pulse_device table of the alarm store's database.
// It knows no HTTP and no GoFrame: the device API (internal/controller/device) registers, lists
// and deletes; the notification router (internal/notify) selects the devices of an alarm in the
// transaction that writes the outbox, and removes a device its push service reports dead.
//
// The rules:
//   - a device is its owner's (the token's sub), by platform and token (FCM, APNs) or endpoint
//     (Web Push): registering the same again updates it, keeping its id (ID derives from them);
//   - it receives the alarms its owner's token covered at registration (the token's alarms
//     patterns, kept with it) and its filter selects (levels, businesses: any of each, empty is
//     every one); the filter's patterns are within the token's, else the registration is refused;
//   - it expires a TTL after its last registration; an owner has at most MaxPerOwner devices,
//     the one registered longest ago goes.
package device
