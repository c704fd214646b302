-- Pulse alarm store, SQLite. The server runs this at start; every statement is idempotent.

-- One row: the last alarm event seq handed out, and the highest seq retention has purged.
-- Writers update this row first in every transaction, so commits (and seq) are strictly ordered.
CREATE TABLE IF NOT EXISTS pulse_alarm_seq (
    id         INTEGER PRIMARY KEY,
    seq        BIGINT  NOT NULL,
    purged_seq BIGINT  NOT NULL
);
INSERT OR IGNORE INTO pulse_alarm_seq (id, seq, purged_seq) VALUES (1, 0, 0);

-- Current state of every alarm: the columns queries filter on, and the Alarm object as JSON.
CREATE TABLE IF NOT EXISTS pulse_alarm (
    alarm_id   VARCHAR(128) PRIMARY KEY,
    seq        BIGINT       NOT NULL, -- seq of its latest event
    status     VARCHAR(16)  NOT NULL,
    changed_ms BIGINT       NOT NULL, -- server time of its latest event
    state      TEXT         NOT NULL
);
CREATE INDEX IF NOT EXISTS pulse_alarm_status_seq ON pulse_alarm (status, seq);
CREATE INDEX IF NOT EXISTS pulse_alarm_seq_idx ON pulse_alarm (seq);

-- Every event (raised, repeated, acked, cleared) as the frame consoles received. seq is the
-- table's rowid (INTEGER PRIMARY KEY): events are stored in seq order with no index beside them
-- for it. (Stores created before this was written have seq BIGINT PRIMARY KEY, an index of its
-- own beside the rowid: the same columns and answers, one more index to write per event.)
CREATE TABLE IF NOT EXISTS pulse_alarm_event (
    seq        INTEGER      PRIMARY KEY,
    alarm_id   VARCHAR(128) NOT NULL,
    created_ms BIGINT       NOT NULL,
    frame      TEXT         NOT NULL
);
CREATE INDEX IF NOT EXISTS pulse_alarm_event_created ON pulse_alarm_event (created_ms);
-- An alarm's history (GET /api/v1/alarms/{alarmId}/events).
CREATE INDEX IF NOT EXISTS pulse_alarm_event_alarm ON pulse_alarm_event (alarm_id, seq);

-- The Idempotency-Keys of alarm ingest (POST /api/v1/alarm) and the receipts each was answered
-- with, written in the transaction of the alarms they answer: a retry is answered again instead of
-- counted twice, after a restart too. Deleted after ingest.idempotencyWindow. A rowid table:
-- keys come in random order (UUIDs), and here only the primary key's index, whose entries are
-- small, takes them into random pages while the rows are appended (WITHOUT ROWID, rows and all in
-- random pages, took 11 % more CPU per alarm of one-alarm requests).
CREATE TABLE IF NOT EXISTS pulse_idempotency (
    scope       VARCHAR(128) NOT NULL, -- the ingest key's name; '' with auth off
    idem_key    VARCHAR(128) NOT NULL, -- the Idempotency-Key header
    body_sha256 CHAR(64)     NOT NULL, -- of the raw body, in hex
    answer      TEXT         NOT NULL, -- the receipts, as JSON
    created_ms  BIGINT       NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX IF NOT EXISTS pulse_idempotency_created ON pulse_idempotency (created_ms);
