-- A job's newest ticks: when, by which runner, what was planned, sent and failed, errors.
SELECT id, runner, started_at, finished_at, planned, requests, sent, failed, error
FROM csv_job_ticks
WHERE job_id = :job_id
ORDER BY id DESC
LIMIT :limit;
