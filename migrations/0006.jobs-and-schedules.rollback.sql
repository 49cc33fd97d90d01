ALTER TABLE files DROP COLUMN job_id, DROP COLUMN delimiter, DROP COLUMN encoding;
DROP TABLE schedule_runs;
DROP TABLE jobs;
