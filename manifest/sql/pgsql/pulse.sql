-- Pulse alarm store, PostgreSQL. The server runs this at start, after moving an older store
-- forward (migrate/), so every statement is idempotent.

-- One row: the version of this schema the store is at (see migrate/: version N is what
-- migrate/vN.sql makes of version N-1; version 1 is the schema before this table).
CREATE TABLE IF NOT EXISTS pulse_schema (
    id      INT PRIMARY KEY,
    version INT NOT NULL
);

-- One row: the last alarm event seq handed out, and the highest seq retention has purged.
-- Writers update this row first in every transaction, so commits (and seq) are strictly ordered,
-- also across the nodes of a cluster.
CREATE TABLE IF NOT EXISTS pulse_alarm_seq (
    id         INT    PRIMARY KEY,
    seq        BIGINT NOT NULL,
    purged_seq BIGINT NOT NULL
);
INSERT INTO pulse_alarm_seq (id, seq, purged_seq) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING;

-- Current state of every alarm: the columns queries filter on, and the Alarm object as JSON. An
-- alarm is (business_type, business_id, alarm_id): the same id under another business is another
-- alarm. The key starts with alarm_id, so the short form of the API (/alarms/{alarmId}) finds an
-- id's alarms by it.
CREATE TABLE IF NOT EXISTS pulse_alarm (
    alarm_id      VARCHAR(128) NOT NULL,
    business_type VARCHAR(128) NOT NULL,
    business_id   VARCHAR(128) NOT NULL,
    seq           BIGINT       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    changed_ms    BIGINT       NOT NULL,
    state         TEXT         NOT NULL,
    level         VARCHAR(16)  NOT NULL DEFAULT '',
    last_ms       BIGINT       NOT NULL DEFAULT 0,  -- its lastTime (latest raise), unix ms
    first_seq     BIGINT       NOT NULL DEFAULT 0,  -- seq when the row was stored: never changes
    search_text   TEXT         NOT NULL DEFAULT '', -- title, newline, content, lower case (Go's)
    PRIMARY KEY (alarm_id, business_type, business_id)
);
-- The list (GET /api/v1/alarms): newest lastTime first, (last_ms, first_seq) the order and the
-- cursor; with one status, in that status's order.
CREATE INDEX IF NOT EXISTS pulse_alarm_last ON pulse_alarm (last_ms, first_seq);
CREATE INDEX IF NOT EXISTS pulse_alarm_status_last ON pulse_alarm (status, last_ms, first_seq);
-- A token's (or the business filter's) type/*: its type's alarms in the list's order, rather than
-- all of them sorted.
CREATE INDEX IF NOT EXISTS pulse_alarm_type_last ON pulse_alarm (business_type, last_ms, first_seq);
CREATE INDEX IF NOT EXISTS pulse_alarm_seq_idx ON pulse_alarm (seq);
-- A narrow token's list and state replay read only its businesses' alarms, the list in its order.
-- Without seq (an acknowledgement leaves this index alone); with lastTime, as a repeat moves it
-- in the list (before version 3: pulse_alarm_business, without it).
CREATE INDEX IF NOT EXISTS pulse_alarm_business_last ON pulse_alarm (business_type, business_id, last_ms, first_seq);

-- Every event (raised, repeated, acked, cleared) as the frame consoles received.
CREATE TABLE IF NOT EXISTS pulse_alarm_event (
    seq           BIGINT       PRIMARY KEY,
    alarm_id      VARCHAR(128) NOT NULL,
    business_type VARCHAR(128) NOT NULL,
    business_id   VARCHAR(128) NOT NULL,
    created_ms    BIGINT       NOT NULL,
    frame         TEXT         NOT NULL
);
CREATE INDEX IF NOT EXISTS pulse_alarm_event_created ON pulse_alarm_event (created_ms);
-- An alarm's history (GET /api/v1/alarms/{businessType}/{businessId}/{alarmId}/events): its whole
-- key, or the planner may prefer pulse_alarm_event_business for it.
CREATE INDEX IF NOT EXISTS pulse_alarm_event_alarm ON pulse_alarm_event (alarm_id, business_type, business_id, seq);
-- A narrow token's resume (since) reads only its business types' events, in seq order, and checks
-- the id in the index. Type before seq: a commit adds to the index at one place per business type
-- rather than one per business, as it would with (business_type, business_id, seq): on SQLite,
-- that index made a commit of 64 repeats of alarms of 100 businesses a fifth more CPU.
CREATE INDEX IF NOT EXISTS pulse_alarm_event_business ON pulse_alarm_event (business_type, seq, business_id);

-- The Idempotency-Keys of alarm ingest (POST /api/v1/alarm) and the receipts each was answered
-- with, written in the transaction of the alarms they answer: a retry is answered again instead of
-- counted twice, after a restart and on another node. Deleted after ingest.idempotencyWindow.
CREATE TABLE IF NOT EXISTS pulse_idempotency (
    scope       VARCHAR(128) NOT NULL, -- the ingest key's name; '' with auth off
    idem_key    VARCHAR(128) NOT NULL, -- the Idempotency-Key header
    body_sha256 CHAR(64)     NOT NULL, -- of the raw body, in hex
    answer      TEXT         NOT NULL, -- the receipts, as JSON
    created_ms  BIGINT       NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX IF NOT EXISTS pulse_idempotency_created ON pulse_idempotency (created_ms);

-- Notifications (version 4). The outbox: one row per notification to one outlet's target, written
-- in the transaction of the alarm event (or the timer) that causes it; senders lease rows. A row
-- leaves the outbox when it is done (sent, failed, superseded): its records tell what happened.
CREATE TABLE IF NOT EXISTS pulse_notify_outbox (
    id            VARCHAR(32)  NOT NULL PRIMARY KEY, -- msg_ + 26 characters of base32(SHA-256(key))
    route         VARCHAR(128) NOT NULL,
    step          VARCHAR(128) NOT NULL, -- '' for the route's own outlets
    outlet        VARCHAR(128) NOT NULL,
    target        VARCHAR(320) NOT NULL, -- '' for an outlet with one destination
    business_type VARCHAR(128) NOT NULL,
    business_id   VARCHAR(128) NOT NULL,
    alarm_id      VARCHAR(128) NOT NULL,
    seq           BIGINT       NOT NULL, -- the alarm event's seq (a reminder's: the alarm's latest)
    kind          VARCHAR(32)  NOT NULL, -- raised, repeated, acked, cleared, reminder, escalated, unsilenced
    group_key     VARCHAR(64)  NOT NULL, -- the route's group of the alarm ('' when not grouped)
    created_ms    BIGINT       NOT NULL,
    due_ms        BIGINT       NOT NULL, -- not sent before
    lease_owner   VARCHAR(64)  NOT NULL DEFAULT '',
    lease_until   BIGINT       NOT NULL DEFAULT 0, -- a node sends it until then; another may after
    attempts      INT          NOT NULL DEFAULT 0,
    payload       TEXT         NOT NULL -- the alarm's state when the notification was made, as JSON
);
CREATE INDEX IF NOT EXISTS pulse_notify_outbox_due ON pulse_notify_outbox (outlet, due_ms);
CREATE INDEX IF NOT EXISTS pulse_notify_outbox_alarm ON pulse_notify_outbox (alarm_id, business_type, business_id, seq);

-- Every delivery attempt (and every notification skipped) of an alarm: its deliveries. Not alarm
-- events: no seq of their own. Deleted after notify.retention.
CREATE TABLE IF NOT EXISTS pulse_notify_record (
    id            BIGSERIAL    PRIMARY KEY,
    notification  VARCHAR(32)  NOT NULL,
    business_type VARCHAR(128) NOT NULL,
    business_id   VARCHAR(128) NOT NULL,
    alarm_id      VARCHAR(128) NOT NULL,
    route         VARCHAR(128) NOT NULL,
    step          VARCHAR(128) NOT NULL,
    outlet        VARCHAR(128) NOT NULL,
    target        VARCHAR(320) NOT NULL,
    kind          VARCHAR(32)  NOT NULL,
    seq           BIGINT       NOT NULL,
    attempt       INT          NOT NULL, -- 1 for the first; 0 for a row never sent (superseded, cancelled)
    status        VARCHAR(16)  NOT NULL, -- sent, retrying, failed, superseded, cancelled
    time_ms       BIGINT       NOT NULL,
    error         VARCHAR(512) NOT NULL DEFAULT '' -- scheme, host and status only
);
CREATE INDEX IF NOT EXISTS pulse_notify_record_alarm ON pulse_notify_record (alarm_id, business_type, business_id, id);
CREATE INDEX IF NOT EXISTS pulse_notify_record_time ON pulse_notify_record (time_ms);

-- Reminders and escalations to come, by route and step name: a restart neither loses nor repeats
-- them, and a config edit re-binds them by name (a name no longer configured drops its timers).
CREATE TABLE IF NOT EXISTS pulse_notify_timer (
    route         VARCHAR(128) NOT NULL,
    step          VARCHAR(128) NOT NULL, -- an escalation step's name; '' for the route's reminder
    business_type VARCHAR(128) NOT NULL,
    business_id   VARCHAR(128) NOT NULL,
    alarm_id      VARCHAR(128) NOT NULL,
    kind          VARCHAR(32)  NOT NULL, -- reminder or escalated
    due_ms        BIGINT       NOT NULL,
    n             INT          NOT NULL DEFAULT 0, -- reminders sent so far
    PRIMARY KEY (route, step, business_type, business_id, alarm_id)
);
CREATE INDEX IF NOT EXISTS pulse_notify_timer_due ON pulse_notify_timer (due_ms);
CREATE INDEX IF NOT EXISTS pulse_notify_timer_alarm ON pulse_notify_timer (alarm_id, business_type, business_id);

-- Silences (POST /api/v1/silences): while one is active, the alarms its matchers select notify
-- nobody, and consoles receive them marked (silenced and unsilenced events). phase: 0 not started,
-- 1 started (the alarms it selected then were marked), 2 ended (the alarms it held were
-- unmarked); a node's timers move it on, each change in a commit of the alarm store.
CREATE TABLE IF NOT EXISTS pulse_silence (
    id            VARCHAR(40)  PRIMARY KEY,
    created_by    VARCHAR(128) NOT NULL,
    created_ms    BIGINT       NOT NULL,
    comment       TEXT         NOT NULL,
    matchers      TEXT         NOT NULL,
    starts_ms     BIGINT       NOT NULL,
    ends_ms       BIGINT       NOT NULL,
    until_cleared INT          NOT NULL,
    phase         INT          NOT NULL
);
-- One row: a number every change to pulse_silence raises, in the same transaction. A commit reads
-- it with the last seq: a node whose copy of the silences is older reads them again first.
CREATE TABLE IF NOT EXISTS pulse_silence_gen (
    id  INT    PRIMARY KEY,
    gen BIGINT NOT NULL
);
INSERT INTO pulse_silence_gen (id, gen) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;

-- Ack links used (GET /ack/<token> then POST): a link acknowledges once. Kept until the link
-- expires, then deleted.
CREATE TABLE IF NOT EXISTS pulse_ack_link (
    link_id    VARCHAR(64) PRIMARY KEY,
    used_ms    BIGINT      NOT NULL,
    expires_ms BIGINT      NOT NULL
);
CREATE INDEX IF NOT EXISTS pulse_ack_link_expires ON pulse_ack_link (expires_ms);

-- Phones and browsers that receive alarms by push (POST /api/v1/devices). id derives from
-- (owner, platform, handle), so registering again updates the same row; a notification to a push
-- outlet goes to the devices of its platform whose scope and filter select the alarm.
CREATE TABLE IF NOT EXISTS pulse_device (
    id            VARCHAR(40)  PRIMARY KEY,
    owner         VARCHAR(128) NOT NULL, -- the token's sub
    platform      VARCHAR(16)  NOT NULL, -- fcm, apns or webpush
    handle        TEXT         NOT NULL, -- the push token, or the Web Push endpoint
    p256dh        VARCHAR(128) NOT NULL, -- webpush keys; '' for the others
    auth          VARCHAR(64)  NOT NULL,
    levels        TEXT         NOT NULL, -- JSON list; [] = every level
    businesses    TEXT         NOT NULL, -- JSON list of patterns; [] = every business of scope
    scope         TEXT         NOT NULL, -- JSON list: the token's alarms patterns at registration
    created_ms    BIGINT       NOT NULL,
    registered_ms BIGINT       NOT NULL,
    expires_ms    BIGINT       NOT NULL  -- notify.deviceTTL after registered_ms
);
CREATE INDEX IF NOT EXISTS pulse_device_owner ON pulse_device (owner, registered_ms);
CREATE INDEX IF NOT EXISTS pulse_device_platform ON pulse_device (platform, expires_ms);
-- One row: a number every change to pulse_device raises, in the same transaction. A commit reads
-- it before choosing devices: a node whose copy of the devices is older reads them again.
CREATE TABLE IF NOT EXISTS pulse_device_gen (
    id  INTEGER PRIMARY KEY,
    gen BIGINT  NOT NULL
);
INSERT INTO pulse_device_gen (id, gen) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
