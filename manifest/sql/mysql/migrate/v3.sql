-- Version 3: the list's filters and order as columns of pulse_alarm (level, last_ms, first_seq,
-- search_text), filled once from the stored state, and its indexes; the list's indexes by status
-- and business follow lastTime. The search text of an alarm stored before is lowered by the
-- database's LOWER(); the alarm's next raise writes it as the server does (Go's strings.ToLower).
ALTER TABLE pulse_alarm
    ADD COLUMN level VARCHAR(16) NOT NULL DEFAULT '',
    ADD COLUMN last_ms BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN first_seq BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN search_text TEXT NOT NULL;
UPDATE pulse_alarm SET
    level = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(state, '$.level')), ''),
    last_ms = COALESCE(CAST(JSON_EXTRACT(state, '$.lastTime') AS SIGNED), 0),
    first_seq = seq,
    search_text = CONCAT(LOWER(COALESCE(JSON_UNQUOTE(JSON_EXTRACT(state, '$.title')), '')), CHAR(10 USING utf8mb4),
                         LOWER(COALESCE(JSON_UNQUOTE(JSON_EXTRACT(state, '$.content')), '')));
ALTER TABLE pulse_alarm
    DROP KEY pulse_alarm_status_seq,
    DROP KEY pulse_alarm_business,
    ADD KEY pulse_alarm_business_last (business_type, business_id, last_ms, first_seq),
    ADD KEY pulse_alarm_last (last_ms, first_seq),
    ADD KEY pulse_alarm_status_last (status, last_ms, first_seq),
    ADD KEY pulse_alarm_type_last (business_type, last_ms, first_seq);
