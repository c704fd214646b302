package alarm

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gogf/gf/v2/database/gdb"

	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc"
)

// eachDeviceDatabase runs test on SQLite, MariaDB and PostgreSQL (a database of its own).
func eachDeviceDatabase(t *testing.T, test func(t *testing.T, node gdb.ConfigNode)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, gdb.ConfigNode{Link: "sqlite::@file(" + t.TempDir() + "/pulse.db)?busy_timeout=5000&journal_mode=WAL"})
	})
	testsvc.EachDatabase(t, "pulse_device_test", func(t *testing.T, link string) {
		test(t, gdb.ConfigNode{Link: link})
	})
}

// registered checks and registers d for owner with scope patterns at now.
func registered(t *testing.T, s *device.Store, owner string, scope []string, d device.Device, now, ttl int64) *device.Device {
	t.Helper()
	var pats []model.Pattern
	for _, p := range scope {
		pat, err := model.ParsePattern(p)
		if err != nil {
			t.Fatal(err)
		}
		pats = append(pats, pat)
	}
	if err := d.Check(owner, model.ScopeOf(pats)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Register(context.Background(), &d, now, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func ids(list []*device.Device) []string {
	var out []string
	for _, d := range list {
		out = append(out, d.ID)
	}
	return out
}

// TestDeviceStore: registering the same (owner, platform, token) again keeps the id and renews
// the filter and expiry; an owner keeps at most 10 devices (the one registered longest ago goes);
// a device is listed, read and selected only until it expires, and only its owner deletes it; a
// device the push service said is gone is removed. SQLite, MariaDB and PostgreSQL.
func TestDeviceStore(t *testing.T) {
	eachDeviceDatabase(t, func(t *testing.T, node gdb.ConfigNode) {
		svc := open(t, node, newRecorder())
		s, err := svc.Devices()
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		const ttl = 1000
		first := registered(t, s, "alice", []string{"meter/*"}, device.Device{Platform: device.FCM, Token: "tok-0", Levels: []string{"critical"}}, 100, ttl)
		again := registered(t, s, "alice", []string{"meter/*"}, device.Device{Platform: device.FCM, Token: "tok-0", Businesses: []string{"meter/m-1"}}, 200, ttl)
		if again.ID != first.ID || again.CreatedAt != 100 || again.ExpiresAt != 1200 {
			t.Fatalf("registered again: %+v, first %+v", again, first)
		}
		list, err := s.List(ctx, "alice", 300)
		if err != nil || len(list) != 1 || len(list[0].Levels) != 0 || !slices.Equal(list[0].Businesses, []string{"meter/m-1"}) || list[0].RegisteredAt != 200 {
			t.Fatalf("list after registering again: %+v %v", list, err)
		}
		// Same token, another platform or owner: other devices.
		apns := registered(t, s, "alice", []string{"meter/*"}, device.Device{Platform: device.APNs, Token: "tok-0"}, 300, ttl)
		bob := registered(t, s, "bob", []string{"*"}, device.Device{Platform: device.FCM, Token: "tok-0"}, 300, ttl)
		if apns.ID == first.ID || bob.ID == first.ID || apns.ID == bob.ID {
			t.Fatalf("ids not distinct: %s %s %s", first.ID, apns.ID, bob.ID)
		}
		// Ten more of alice's: the two registered longest ago (tok-0 fcm at 200, then apns at 300) go.
		var tenth string
		for i := 1; i <= 10; i++ {
			tenth = registered(t, s, "alice", []string{"meter/*"}, device.Device{Platform: device.FCM, Token: fmt.Sprintf("tok-%d", i)}, int64(400+i), ttl).ID
		}
		list, _ = s.List(ctx, "alice", 500)
		if len(list) != device.MaxPerOwner || slices.Contains(ids(list), first.ID) || slices.Contains(ids(list), apns.ID) || !slices.Contains(ids(list), tenth) {
			t.Fatalf("after 12 registrations alice has %d devices: %v", len(list), ids(list))
		}
		if l, _ := s.List(ctx, "bob", 500); len(l) != 1 {
			t.Fatalf("alice's registrations removed bob's device: %v", ids(l))
		}
		// Re-registering the oldest keeps it; the next new one removes the one now oldest.
		oldest := list[0]
		registered(t, s, "alice", []string{"meter/*"}, device.Device{Platform: device.FCM, Token: oldest.Token}, 600, ttl)
		registered(t, s, "alice", []string{"meter/*"}, device.Device{Platform: device.FCM, Token: "tok-11"}, 601, ttl)
		list, _ = s.List(ctx, "alice", 700)
		if len(list) != device.MaxPerOwner || !slices.Contains(ids(list), oldest.ID) {
			t.Fatalf("re-registered oldest %s: %v", oldest.ID, ids(list))
		}
		for _, d := range list {
			if d.Token == "tok-2" {
				t.Fatalf("tok-2 (now the oldest) was kept: %v", ids(list))
			}
		}
		// Selection within a transaction, by platform, scope and filter, until expiry.
		all, err := device.OfPlatform(ctx, mustDB(t, s, svc), svc.store.dialect, device.FCM, 700)
		if err != nil || len(all) != 11 { // alice's 10 and bob's
			t.Fatalf("fcm devices at 700: %d %v", len(all), err)
		}
		meter := &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-9", Level: "minor"}}
		pump := &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: "pump", BusinessId: "p-1", Level: "minor"}}
		var meterTo, pumpTo []string
		for _, d := range all {
			if d.Selects(meter) {
				meterTo = append(meterTo, d.Owner)
			}
			if d.Selects(pump) {
				pumpTo = append(pumpTo, d.Owner)
			}
		}
		if len(meterTo) != 11 || !slices.Equal(pumpTo, []string{"bob"}) {
			t.Fatalf("meter alarm to %v, pump alarm to %v", meterTo, pumpTo)
		}
		if d, _ := s.Get(ctx, bob.ID, 1299); d == nil || d.Token != "tok-0" {
			t.Fatalf("bob's device before expiry: %+v", d)
		}
		if d, _ := s.Get(ctx, bob.ID, 1300); d != nil {
			t.Fatalf("bob's device read after expiry: %+v", d)
		}
		if l, _ := device.OfPlatform(ctx, mustDB(t, s, svc), svc.store.dialect, device.FCM, 1300); slices.Contains(ids(l), bob.ID) {
			t.Fatal("an expired device selected")
		}
		if n, err := s.Purge(ctx, 1300); err != nil || n != 1 {
			t.Fatalf("purged %d %v, want bob's 1", n, err)
		}
		// Deleting: only the owner's; removing (gone): anyone's.
		if ok, err := s.Delete(ctx, "bob", list[0].ID); ok || err != nil {
			t.Fatalf("bob deleted alice's device: %v %v", ok, err)
		}
		if ok, err := s.Delete(ctx, "alice", list[0].ID); !ok || err != nil {
			t.Fatalf("alice deleting her device: %v %v", ok, err)
		}
		if err := s.Remove(ctx, list[1].ID); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.List(ctx, "alice", 700); len(l) != device.MaxPerOwner-2 {
			t.Fatalf("after delete and remove alice has %v", ids(l))
		}
		// The node's copy follows every change, through the generation.
		cache := device.NewCache()
		before, err := s.Cached(ctx, cache, device.FCM, 700)
		if err != nil {
			t.Fatal(err)
		}
		added := registered(t, s, "dave", []string{"*"}, device.Device{Platform: device.FCM, Token: "tok-dave"}, 700, ttl)
		if l, _ := s.Cached(ctx, cache, device.FCM, 701); len(l) != len(before)+1 || !slices.Contains(ids(l), added.ID) {
			t.Fatalf("copy after a registration: %v, before %v", ids(l), ids(before))
		}
		if err := s.Remove(ctx, added.ID); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.Cached(ctx, cache, device.FCM, 701); len(l) != len(before) || slices.Contains(ids(l), added.ID) {
			t.Fatalf("copy after a removal: %v", ids(l))
		}
		if l, _ := s.Cached(ctx, cache, device.FCM, 2000); len(l) != 0 {
			t.Fatalf("copy after every device expired: %v", ids(l))
		}
		// A Web Push subscription keeps its keys.
		sub := &device.Subscription{Endpoint: "https://push.example.com/send/abc",
			Keys: device.Keys{P256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", Auth: "tBHItJI5svbpez7KI4CCXg"}}
		wp := registered(t, s, "carol", []string{"*"}, device.Device{Platform: device.WebPush, Subscription: sub}, 700, ttl)
		if d, _ := s.Get(ctx, wp.ID, 701); d == nil || d.Subscription == nil || *d.Subscription != *sub || d.Token != "" {
			t.Fatalf("web push device read back: %+v", d)
		}
	})
}

// mustDB is the store's database, for reads a commit would make in its transaction.
func mustDB(t *testing.T, _ *device.Store, svc *Service) device.Execer {
	db, err := svc.store.db.Master()
	if err != nil {
		t.Fatal(err)
	}
	return db
}
