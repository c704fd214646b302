package metrics

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pulse-monitoring/pulse/internal/bus"
	"github.com/pulse-monitoring/pulse/internal/hub"
)

// Sources are the counters the engine collector reads at each scrape.
type Sources struct {
	Managers []*hub.Manager // labelled endpoint=Name()
	Door     interface{ Refusals() map[string]int64 }
	Ingest   interface {
		Accepted() (rowData, alarms int64)
		Replayed() (rowData, alarms int64)
	}
	Bus    *bus.Counted
	Alarms interface {
		Counts() (replays, replayedEvents int64)
		WritesFailing() bool
		StorePool() sql.DBStats
		SQLiteMemory() (used, limit int64, ok bool)
	}
}

// busReadyTimeout bounds the bus check of a scrape (a Redis PING).
const busReadyTimeout = time.Second

// engineCollector turns Sources into metrics at scrape time.
type engineCollector struct{ src Sources }

func newEngineCollector(src Sources) *engineCollector { return &engineCollector{src} }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	connectionsDesc   = desc("pulse_connections", "Open WebSocket connections.", "endpoint")
	publishesDesc     = desc("pulse_publishes_total", "Messages published to an endpoint's manager (one per row-data item or alarm event).", "endpoint")
	deliveriesDesc    = desc("pulse_deliveries_total", "Messages queued to connections: a publish counts once per connection it reached.", "endpoint")
	framesWrittenDesc = desc("pulse_frames_written_total", "WebSocket data frames written to clients (a frame may hold several messages), replay frames included.", "endpoint")
	framesReadDesc    = desc("pulse_frames_read_total", "WebSocket frames read from clients, pings and pongs included.", "endpoint")
	droppedDesc       = desc("pulse_messages_dropped_total", "Messages dropped from the full send queue of a slow client (row data: the oldest goes; with rowdata.slowPolicy coalesce only past 4 x ws.sendQueue businesses).", "endpoint")
	coalescedDesc     = desc("pulse_messages_coalesced_total", "Row-data items left out of a slow dashboard's full send queue because a newer item of the same business replaced them (rowdata.slowPolicy coalesce).", "endpoint")
	slowClosesDesc    = desc("pulse_slow_closes_total", "Connections closed with 1013 because their send queue was full (alarm consoles).", "endpoint")
	closesDesc        = desc("pulse_closes_total", "Connections ended, by the WebSocket close code the server sent (1006: aborted without a close frame).", "endpoint", "code")
	snapshotKeysDesc  = desc("pulse_snapshot_keys", "Keys whose latest row data the snapshots hold.")
	rowMemoryDesc     = desc("pulse_rowdata_memory_bytes", "Bytes the kept row data (snapshots and history) holds, counted as allocated; at most pulse_rowdata_memory_limit_bytes.")
	rowPointsDesc     = desc("pulse_rowdata_points", "Row-data items kept (every key's snapshot and history), whose bytes pulse_rowdata_memory_bytes counts.")
	rowTrimsDesc      = desc("pulse_rowdata_history_trims_total", "Keys (type, id) whose history (the items older than their snapshot) was let go of to stay within rowdata.memory, before any key is forgotten.")
	rowLimitDesc      = desc("pulse_rowdata_memory_limit_bytes", "The bound on kept row data (rowdata.memory), shared fairly between business types.")
	rowTypesDesc      = desc("pulse_rowdata_types", "Business types that hold kept row data: each may keep pulse_rowdata_memory_limit_bytes divided by this.")
	rowEvictionsDesc  = desc("pulse_rowdata_evictions_total", "Keys (type, id) whose kept row data was forgotten to stay within rowdata.memory, from the type holding the most.")
	refusedDesc       = desc("pulse_upgrades_refused_total", "WebSocket upgrades refused, by reason.", "reason")
	acceptedDesc      = desc("pulse_ingest_items_accepted_total", "Items accepted by ingest (HTTP and the in-process Go API): row data published, alarms committed.", "kind")
	retriesDesc       = desc("pulse_ingest_requests_replayed_total", "Ingest requests answered again for their Idempotency-Key (a retry of a request answered 2xx): nothing published or stored.", "kind")
	replaysDesc       = desc("pulse_alarm_replays_total", "Alarm consoles given their history (current state or a resume) before live events.")
	replayedDesc      = desc("pulse_alarm_replayed_events_total", "Alarm events sent by replays.")
	storeFailingDesc  = desc("pulse_alarm_store_writes_failing", "1 while the alarm store's last write failed (the node is not ready: /readyz), else 0.")
	busPublishesDesc  = desc("pulse_bus_publishes_total", "Publishes to the bus (one per ingest batch or alarm commit).")
	busEventsDesc     = desc("pulse_bus_published_events_total", "Events those publishes carried.")
	busErrorsDesc     = desc("pulse_bus_publish_errors_total", "Publishes the bus refused (Redis down or not subscribed).")
	busResubDesc      = desc("pulse_bus_resubscriptions_total", "Times the bus subscription came back after an interruption.")
	busUpDesc         = desc("pulse_bus_up", "1 when the bus can deliver (Redis: subscribed and answering PING), else 0.")
	storeConnsDesc    = desc("pulse_alarm_store_connections", "Connections of the alarm store's database pool, by state: in_use (the write connection commits run on among them) or idle.", "state")
	sqliteMemoryDesc  = desc("pulse_sqlite_memory_bytes", "Bytes SQLite holds (page caches, schemas, statements; sqlite3_memory_used), with an SQLite alarm store. Resident memory is up to twice this: the allocator rounds each block up to a power of two.")
	sqliteLimitDesc   = desc("pulse_sqlite_memory_limit_bytes", "SQLite's soft heap limit: over it, SQLite reuses its page caches' pages rather than grow them (0: no limit).")
)

// closeCodes are the close codes the server sends. Each endpoint exposes all of them from the
// start, at 0, so that the first close of a kind shows in rate() and increase(): a series that
// first appears at 1 has no increase for Prometheus to see (a Grafana panel would miss it).
var closeCodes = []int{1000, 1001, 1003, 1006, 1008, 1009, 1011, 1013, hub.CloseTokenExpired}

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{connectionsDesc, publishesDesc, deliveriesDesc, framesWrittenDesc,
		framesReadDesc, droppedDesc, coalescedDesc, slowClosesDesc, closesDesc, snapshotKeysDesc, rowMemoryDesc, rowPointsDesc,
		rowLimitDesc, rowTypesDesc, rowEvictionsDesc, rowTrimsDesc, refusedDesc, acceptedDesc,
		retriesDesc, replaysDesc, replayedDesc, storeFailingDesc, busPublishesDesc, busEventsDesc, busErrorsDesc,
		busResubDesc, busUpDesc, storeConnsDesc, sqliteMemoryDesc, sqliteLimitDesc} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	snapshotKeys, snapshotTypes, points := 0, 0, 0
	var snapshotBytes, snapshotLimit, snapshotEvictions, trims int64
	for _, m := range c.src.Managers {
		s, ep := m.Stats(), m.Name()
		gauge(connectionsDesc, float64(s.Connections), ep)
		counter(publishesDesc, s.Published, ep)
		counter(deliveriesDesc, s.Delivered, ep)
		counter(framesWrittenDesc, s.FramesWritten, ep)
		counter(framesReadDesc, s.FramesRead, ep)
		counter(droppedDesc, s.Dropped, ep)
		counter(coalescedDesc, s.Coalesced, ep)
		counter(slowClosesDesc, s.SlowClosed, ep)
		for _, code := range closeCodes {
			counter(closesDesc, s.Closes[code], ep, strconv.Itoa(code))
		}
		for code, n := range s.Closes {
			if !slices.Contains(closeCodes, code) {
				counter(closesDesc, n, ep, strconv.Itoa(code))
			}
		}
		snapshotKeys += s.SnapshotKeys
		snapshotTypes += s.SnapshotTypes
		snapshotBytes += s.SnapshotBytes
		snapshotLimit += s.SnapshotLimit
		snapshotEvictions += s.SnapshotEvictions
		points += s.HistoryPoints
		trims += s.HistoryTrims
	}
	gauge(snapshotKeysDesc, float64(snapshotKeys))
	gauge(rowMemoryDesc, float64(snapshotBytes))
	gauge(rowLimitDesc, float64(snapshotLimit))
	gauge(rowTypesDesc, float64(snapshotTypes))
	counter(rowEvictionsDesc, snapshotEvictions)
	gauge(rowPointsDesc, float64(points))
	counter(rowTrimsDesc, trims)
	if c.src.Door != nil {
		for reason, n := range c.src.Door.Refusals() {
			counter(refusedDesc, n, reason)
		}
	}
	if c.src.Ingest != nil {
		rowData, alarms := c.src.Ingest.Accepted()
		counter(acceptedDesc, rowData, "rowdata")
		counter(acceptedDesc, alarms, "alarm")
		rowData, alarms = c.src.Ingest.Replayed()
		counter(retriesDesc, rowData, "rowdata")
		counter(retriesDesc, alarms, "alarm")
	}
	if c.src.Alarms != nil {
		replays, events := c.src.Alarms.Counts()
		counter(replaysDesc, replays)
		counter(replayedDesc, events)
		gauge(storeFailingDesc, boolValue(c.src.Alarms.WritesFailing()))
		pool := c.src.Alarms.StorePool()
		gauge(storeConnsDesc, float64(pool.InUse), "in_use")
		gauge(storeConnsDesc, float64(pool.Idle), "idle")
		if used, limit, ok := c.src.Alarms.SQLiteMemory(); ok {
			gauge(sqliteMemoryDesc, float64(used))
			gauge(sqliteLimitDesc, float64(limit))
		}
	}
	if b := c.src.Bus; b != nil {
		n := b.Counts()
		counter(busPublishesDesc, n.Publishes)
		counter(busEventsDesc, n.Events)
		counter(busErrorsDesc, n.Errors)
		counter(busResubDesc, n.Resubscriptions)
		ctx, cancel := context.WithTimeout(context.Background(), busReadyTimeout)
		gauge(busUpDesc, boolValue(b.Ready(ctx) == nil))
		cancel()
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
