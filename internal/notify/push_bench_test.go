package notify_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulse-monitoring/pulse/internal/config"
	"github.com/pulse-monitoring/pulse/internal/device"
	"github.com/pulse-monitoring/pulse/internal/model"
	"github.com/pulse-monitoring/pulse/internal/testsvc/pushsvc"
)

// registerMany registers devices of platform through the API: users of 10 devices each (the cap),
// tokens token(i).
func registerMany(b testing.TB, p pushNode, platform string, devices int, token func(i int) string) {
	b.Helper()
	for i := 0; i < devices; i++ {
		as := user(b, fmt.Sprintf("user-%d", i/device.MaxPerOwner), "*")
		p.mustRegister(as, `{"platform":"`+platform+`","token":"`+token(i)+`"}`)
	}
}

// cpuTime is the CPU time this process used so far (user and system): the node, the push
// service stand-in and the benchmark, all in this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// waitLong waits for cond up to 40 minutes: a benchmark measures how long it takes, on a machine
// that may be busy; a test's patience would cut it short.
func waitLong(b *testing.B, cond func() bool, format string, args ...any) {
	b.Helper()
	for end := time.Now().Add(40 * time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			b.Fatalf(format, args...)
		}
	}
}

// percentile is the p-th percentile (0..1) of sorted ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// BenchmarkPushFanout raises one critical alarm at a time on a node with 1,000 registered devices
// (100 users of 10) and measures, for every device, the time from the raise's request to the
// local push service receiving its request: p50 and p99 over b.N raises × 1,000 devices. The
// dispatcher runs with its defaults (16 sends at a time, batches of 200).
//
//	go test -run xxx -bench PushFanout -benchtime 5x ./internal/notify/
func BenchmarkPushFanout(b *testing.B) {
	const devices = 1000
	for _, platform := range []string{"fcm", "apns"} {
		b.Run(platform, func(b *testing.B) {
			p := startPushDefault(b)
			token := func(i int) string { return fmt.Sprintf("fcm-%d", i) }
			received := func() []time.Time {
				var at []time.Time
				for _, m := range p.fcm.Pushes() {
					at = append(at, m.At)
				}
				return at
			}
			if platform == "apns" {
				token = pushsvc.DeviceToken
				received = func() []time.Time {
					var at []time.Time
					for _, m := range p.apns.Pushes() {
						at = append(at, m.At)
					}
					return at
				}
			}
			registerMany(b, p, platform, devices, token)
			var lat []time.Duration
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				p.Raise(fmt.Sprintf(`{"items":[{"alarmId":"fan-%d","businessType":"meter","businessId":"m-1","level":"critical","title":"t"}]}`, i))
				want := devices * (i + 1)
				waitLong(b, func() bool { return len(received()) >= want }, "pushes: %d of %d", len(received()), want)
				for _, at := range received()[want-devices:] {
					lat = append(lat, at.Sub(start))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*devices), "cpu-µs/push")
			slices.Sort(lat)
			b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "last-ms")
		})
	}
}

// startPushDefault is startPush with the dispatcher's default timers (a benchmark measures them).
func startPushDefault(b *testing.B) pushNode {
	return startPush(b, "", func(c *config.Config) {})
}

// BenchmarkPushStorm raises 1,000 critical alarms (10 requests of 100) at 100 APNs devices and
// counts, at the local APNs, the pushes and the distinct apns-collapse-id per device: a phone shows
// one notification per collapse id, so one per alarm, however many pushes an alarm makes.
//
//	go test -run xxx -bench PushStorm -benchtime 1x ./internal/notify/
func BenchmarkPushStorm(b *testing.B) {
	const devices, alarms = 100, 1000
	for i := 0; i < b.N; i++ {
		p := startPushDefault(b)
		registerMany(b, p, "apns", devices, pushsvc.DeviceToken)
		start, cpu0 := time.Now(), cpuTime()
		for r := 0; r < alarms/100; r++ {
			var items []string
			for j := 0; j < 100; j++ {
				items = append(items, fmt.Sprintf(`{"alarmId":"storm-%d","businessType":"meter","businessId":"m-%d","level":"critical","title":"t"}`, r*100+j, j%7))
			}
			p.Raise(`{"items":[` + strings.Join(items, ",") + `]}`)
		}
		waitLong(b, func() bool { return len(p.apns.Pushes()) >= devices*alarms }, "storm pushes: %d", len(p.apns.Pushes()))
		took, cpu := time.Since(start), cpuTime()-cpu0
		perDevice := map[string]map[string]int{}
		for _, m := range p.apns.Pushes() {
			if perDevice[m.Token] == nil {
				perDevice[m.Token] = map[string]int{}
			}
			perDevice[m.Token][m.Header.Get("apns-collapse-id")]++
		}
		minIDs, maxPer := alarms, 0
		for _, ids := range perDevice {
			minIDs = min(minIDs, len(ids))
			for _, n := range ids {
				maxPer = max(maxPer, n)
			}
		}
		b.ReportMetric(float64(len(p.apns.Pushes())), "pushes")
		b.ReportMetric(float64(len(perDevice)), "devices")
		b.ReportMetric(float64(minIDs), "min-collapse-ids/device")
		b.ReportMetric(float64(maxPer), "max-pushes/collapse-id")
		b.ReportMetric(float64(len(p.apns.Pushes()))/took.Seconds(), "pushes/s")
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(p.apns.Pushes())), "cpu-µs/push")
	}
}

// BenchmarkDeviceSelection is what a commit does per push outlet, for 1,000 devices in SQLite:
// read the devices' generation in its transaction and take the devices of the platform from the
// node's copy (cached), or read them all (cold: after a registration anywhere), then select those
// of an alarm. It reports the time per commit, and the heap the node's copy keeps per device.
//
//	go test -run xxx -bench DeviceSelection ./internal/notify/
func BenchmarkDeviceSelection(b *testing.B) {
	const devices = 1000
	p := startPushDefault(b)
	registerMany(b, p, "fcm", devices, func(i int) string { return fmt.Sprintf("fcm-%d", i) })
	store, err := p.Alarms.Devices()
	if err != nil {
		b.Fatal(err)
	}
	a := &model.Alarm{AlarmBusinessData: model.AlarmBusinessData{BusinessType: "meter", BusinessId: "m-1", Level: "critical"}}
	selectAll := func(b *testing.B, c *device.Cache) {
		list, err := store.Cached(b.Context(), c, device.FCM, time.Now().UnixMilli())
		if err != nil || len(list) != devices {
			b.Fatalf("%d devices, %v", len(list), err)
		}
		n := 0
		for _, d := range list {
			if d.Selects(a) {
				n++
			}
		}
		if n != devices {
			b.Fatalf("%d selected", n)
		}
	}
	b.Run("cached", func(b *testing.B) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := device.NewCache()
		selectAll(b, c)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			selectAll(b, c)
		}
		b.StopTimer()
		runtime.KeepAlive(c)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/devices, "heap-B/device")
	})
	b.Run("cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			selectAll(b, device.NewCache())
		}
	})
}
