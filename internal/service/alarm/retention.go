package alarm

import (
	"context"
	"time"

	"github.com/gogf/gf/v2/frame/g"

	"github.com/pulse-monitoring/pulse/internal/dao"
)

// DefaultPurgeBatch is how many rows one purge transaction deletes at most when Options leaves
// it unset: the seq row's lock, which every commit waits for, is held that long.
const DefaultPurgeBatch = 1000

// minPurgePause is the least a purge rests between two batches (see purgeTable).
const minPurgePause = 5 * time.Millisecond

// purgeJob is one table retention keeps to its age: its rows older than age are deleted by batch,
// at most a given number of rows per transaction. Every table that grows with time is a job of
// purgeJobs, run by the one retention loop: the tables still to come (notification records after
// notify.retention, ack-link nonces, devices and silences once expired) are one line each there,
// most with deleteOlder as their batch.
type purgeJob struct {
	table string        // as the metrics name it
	age   time.Duration // rows older than this are deleted
	batch purgeBatch
}

// purgeBatch deletes at most limit of a table's rows older than cutoff (server unix ms) in one
// short transaction, and returns how many it deleted: fewer than limit means none are left.
type purgeBatch func(ctx context.Context, cutoff int64, limit int) (int64, error)

// purgeJobs are the tables retention empties, in order: cleared alarms before events, so that the
// latest event of a purged alarm goes in the same run.
func (s *Service) purgeJobs() []purgeJob {
	var jobs []purgeJob
	if r := s.opts.Retention; r > 0 {
		jobs = append(jobs,
			purgeJob{dao.PulseAlarm.Table(), r, s.store.purgeAlarms},
			purgeJob{dao.PulseAlarmEvent.Table(), r, s.store.purgeEvents})
	}
	keys := dao.PulseIdempotency
	jobs = append(jobs, purgeJob{keys.Table(), s.store.keyWindow, s.store.deleteOlder(keys.Table(), keys.Columns().CreatedMs)})
	return jobs
}

// retentionLoop runs every purge job once at start and then every PurgeInterval (an hour when
// unset), or every job's age when that is shorter (at least a second). Close stops it between two
// batches and waits for it.
func (s *Service) retentionLoop() {
	defer s.purging.Done()
	jobs := s.purgeJobs()
	stopped, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-stopped.Done():
		}
	}()
	every := s.opts.PurgeInterval
	if every <= 0 {
		every = time.Hour
	}
	for _, j := range jobs {
		every = min(every, j.age)
	}
	t := time.NewTicker(max(every, time.Second))
	defer t.Stop()
	for {
		s.purge(stopped, jobs)
		select {
		case <-stopped.Done():
			return
		case <-t.C:
		}
	}
}

// purge runs each job to its end, with the cutoffs of one moment of the store's clock.
func (s *Service) purge(ctx context.Context, jobs []purgeJob) {
	now := s.now()
	for _, j := range jobs {
		n, err := s.purgeTable(ctx, j, now.Add(-j.age).UnixMilli())
		if ctx.Err() != nil {
			return // stopped half-way: not a failing write
		}
		s.writes.result(err)
		if s.opts.OnPurge != nil {
			s.opts.OnPurge(j.table, n, err)
		}
		if err == nil && n > 0 {
			g.Log().Infof(ctx, "alarm store retention deleted %d rows of %s older than %s", n, j.table, j.age)
		}
	}
}

// purgeTable deletes j's rows older than cutoff, batch after batch, until a batch finds fewer
// than a batch's rows, and returns how many. Between two batches it rests as long as the last one
// took (at least minPurgePause): the commits that queued for the seq row's lock meanwhile take it
// (on SQLite a waiting writer retries after sleeps of its own, so a purge that took the lock again
// at once could keep it from ingest for as long as the whole purge). It stops between two
// batches when ctx ends.
func (s *Service) purgeTable(ctx context.Context, j purgeJob, cutoff int64) (int64, error) {
	limit := s.purgeBatch()
	var total int64
	for {
		start := time.Now()
		bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		n, err := j.batch(bctx, cutoff, limit)
		cancel()
		total += n
		if err != nil || n < int64(limit) {
			return total, err
		}
		pause := time.NewTimer(max(time.Since(start), minPurgePause))
		select {
		case <-ctx.Done():
			pause.Stop()
			return total, nil
		case <-pause.C:
		}
	}
}

// purgeBatch is Options.PurgeBatch, or DefaultPurgeBatch.
func (s *Service) purgeBatch() int {
	if s.opts.PurgeBatch > 0 {
		return s.opts.PurgeBatch
	}
	return DefaultPurgeBatch
}
