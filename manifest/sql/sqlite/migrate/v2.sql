-- Version 2: an alarm is (business_type, business_id, alarm_id). Alarms and events get their
-- business as columns, filled once from the stored JSON, and pulse_alarm's key becomes the triple
-- (SQLite cannot change a key: the table is copied). pulse.sql then adds the new indexes.

-- The table of the schema version, which version 1 did not have.
CREATE TABLE IF NOT EXISTS pulse_schema (
    id      INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);

CREATE TABLE pulse_alarm_v2 (
    alarm_id      VARCHAR(128) NOT NULL,
    business_type VARCHAR(128) NOT NULL,
    business_id   VARCHAR(128) NOT NULL,
    seq           BIGINT       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    changed_ms    BIGINT       NOT NULL,
    state         TEXT         NOT NULL,
    PRIMARY KEY (alarm_id, business_type, business_id)
);
INSERT INTO pulse_alarm_v2 (alarm_id, business_type, business_id, seq, status, changed_ms, state)
    SELECT alarm_id, COALESCE(json_extract(state, '$.businessType'), ''),
           COALESCE(json_extract(state, '$.businessId'), ''), seq, status, changed_ms, state
    FROM pulse_alarm;
DROP TABLE pulse_alarm;
ALTER TABLE pulse_alarm_v2 RENAME TO pulse_alarm;

ALTER TABLE pulse_alarm_event ADD COLUMN business_type VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE pulse_alarm_event ADD COLUMN business_id VARCHAR(128) NOT NULL DEFAULT '';
UPDATE pulse_alarm_event SET
    business_type = COALESCE(json_extract(frame, '$.data.businessType'), ''),
    business_id = COALESCE(json_extract(frame, '$.data.businessId'), '');
-- An alarm's history is found by the whole key (pulse.sql creates the index again).
DROP INDEX pulse_alarm_event_alarm;
