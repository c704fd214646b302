-- Version 2: an alarm is (business_type, business_id, alarm_id). Alarms and events get their
-- business as columns, filled once from the stored JSON, and pulse_alarm's key becomes the triple.

-- The table of the schema version, which version 1 did not have.
CREATE TABLE IF NOT EXISTS pulse_schema (
    id      INT NOT NULL PRIMARY KEY,
    version INT NOT NULL
) ENGINE = InnoDB;

ALTER TABLE pulse_alarm
    ADD COLUMN business_type VARCHAR(128) NOT NULL DEFAULT '' AFTER alarm_id,
    ADD COLUMN business_id VARCHAR(128) NOT NULL DEFAULT '' AFTER business_type;
UPDATE pulse_alarm SET
    business_type = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(state, '$.businessType')), ''),
    business_id = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(state, '$.businessId')), '');
ALTER TABLE pulse_alarm
    DROP PRIMARY KEY,
    ADD PRIMARY KEY (alarm_id, business_type, business_id),
    ADD KEY pulse_alarm_business (business_type, business_id);

ALTER TABLE pulse_alarm_event
    ADD COLUMN business_type VARCHAR(128) NOT NULL DEFAULT '' AFTER alarm_id,
    ADD COLUMN business_id VARCHAR(128) NOT NULL DEFAULT '' AFTER business_type;
UPDATE pulse_alarm_event SET
    business_type = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(frame, '$.data.businessType')), ''),
    business_id = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(frame, '$.data.businessId')), '');
ALTER TABLE pulse_alarm_event
    DROP KEY pulse_alarm_event_alarm,
    ADD KEY pulse_alarm_event_alarm (alarm_id, business_type, business_id, seq),
    ADD KEY pulse_alarm_event_business (business_type, seq, business_id);
