-- Version 3: the list's filters and order as columns of pulse_alarm (level, last_ms, first_seq,
-- search_text), filled once from the stored state; the list's indexes by status and business
-- follow lastTime (pulse.sql creates the new ones). The search text of an alarm stored before
-- is lowered by the database's lower(); the alarm's next raise writes it as the server does (Go's
-- strings.ToLower).
ALTER TABLE pulse_alarm
    ADD COLUMN level VARCHAR(16) NOT NULL DEFAULT '',
    ADD COLUMN last_ms BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN first_seq BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE pulse_alarm SET
    level = COALESCE(CAST(state AS json) ->> 'level', ''),
    last_ms = COALESCE(CAST(CAST(state AS json) ->> 'lastTime' AS BIGINT), 0),
    first_seq = seq,
    search_text = lower(COALESCE(CAST(state AS json) ->> 'title', '')) || chr(10) ||
                  lower(COALESCE(CAST(state AS json) ->> 'content', ''));
DROP INDEX IF EXISTS pulse_alarm_status_seq;
DROP INDEX IF EXISTS pulse_alarm_business;
