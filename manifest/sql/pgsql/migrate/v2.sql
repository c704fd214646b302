-- Version 2: an alarm is (business_type, business_id, alarm_id). Alarms and events get their
-- business as columns, filled once from the stored JSON, and pulse_alarm's key becomes the triple.
-- pulse.sql then adds the new indexes.

-- The table of the schema version, which version 1 did not have.
CREATE TABLE IF NOT EXISTS pulse_schema (
    id      INT PRIMARY KEY,
    version INT NOT NULL
);

ALTER TABLE pulse_alarm
    ADD COLUMN business_type VARCHAR(128) NOT NULL DEFAULT '',
    ADD COLUMN business_id VARCHAR(128) NOT NULL DEFAULT '';
UPDATE pulse_alarm SET
    business_type = COALESCE(CAST(state AS json) ->> 'businessType', ''),
    business_id = COALESCE(CAST(state AS json) ->> 'businessId', '');
ALTER TABLE pulse_alarm
    DROP CONSTRAINT pulse_alarm_pkey,
    ADD PRIMARY KEY (alarm_id, business_type, business_id);

ALTER TABLE pulse_alarm_event
    ADD COLUMN business_type VARCHAR(128) NOT NULL DEFAULT '',
    ADD COLUMN business_id VARCHAR(128) NOT NULL DEFAULT '';
UPDATE pulse_alarm_event SET
    business_type = COALESCE(CAST(frame AS json) -> 'data' ->> 'businessType', ''),
    business_id = COALESCE(CAST(frame AS json) -> 'data' ->> 'businessId', '');
-- An alarm's history is found by the whole key (pulse.sql creates the index again).
DROP INDEX pulse_alarm_event_alarm;
