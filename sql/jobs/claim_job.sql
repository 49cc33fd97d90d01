-- The oldest due job, leased to one worker. SKIP LOCKED lets workers in several
-- containers claim side by side without ever taking the same job.
WITH claimed AS (
    UPDATE jobs
    SET status = 'running',
        attempts = attempts + 1,
        lease_owner = :owner,
        lease_expires_at = now() + make_interval(secs => :lease_seconds),
        started_at = coalesce(started_at, now()),
        attempt_started_at = now(),
        error = NULL,
        version = version + 1,
        updated_at = now()
    WHERE id = (
        SELECT id
        FROM jobs
        WHERE status = 'queued' AND run_after <= now() AND kind = ANY(:kinds::text[])
        ORDER BY run_after, created_at
        FOR UPDATE SKIP LOCKED
        LIMIT 1
    )
    RETURNING id, kind, payload, status, attempts, max_attempts, run_after, progress_done, progress_total, progress_message, error, version, created_at, started_at, attempt_started_at, finished_at
)
SELECT claimed.*
FROM claimed
CROSS JOIN LATERAL pg_notify('optimizer_job_events', claimed.id::text) AS told;
