-- One job, as the progress routes show it.
SELECT id, kind, payload, status, attempts, max_attempts, run_after, progress_done, progress_total, progress_message, error, version, created_at, started_at, attempt_started_at, finished_at
FROM jobs
WHERE id = :id;
