-- A tick starts: its row is the job's history for operators.
INSERT INTO csv_job_ticks (job_id, runner, started_at, planned)
VALUES (:job_id, :runner, :started_at, :planned)
RETURNING id;
