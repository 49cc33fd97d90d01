-- When a job's current attempt started. `started_at` stays the first attempt's start: a
-- job handed back at shutdown, or recovered after its worker died, shows both, with its
-- attempt count, instead of a start time that is hours older than the attempt running.
-- depends: 0008.phone-lists-fewer-indexes

ALTER TABLE jobs ADD COLUMN attempt_started_at timestamptz;
UPDATE jobs SET attempt_started_at = started_at WHERE started_at IS NOT NULL;
