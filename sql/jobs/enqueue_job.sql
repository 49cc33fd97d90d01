-- A new job, in the caller's transaction; idle workers are woken when it commits.
WITH queued AS (
    INSERT INTO jobs (kind, payload, max_attempts)
    VALUES (:kind, :payload, :max_attempts)
    RETURNING id, kind, payload, status, attempts, max_attempts, run_after, progress_done, progress_total, progress_message, error, version, created_at, started_at, attempt_started_at, finished_at
)
SELECT queued.*
FROM queued
CROSS JOIN LATERAL pg_notify('optimizer_jobs_queued', queued.id::text) AS woken;
