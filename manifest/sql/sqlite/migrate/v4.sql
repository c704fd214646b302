-- Version 4: notifications. The outbox: one row per notification to one outlet's target, written
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
    id            INTEGER      PRIMARY KEY,
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
