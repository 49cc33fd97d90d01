-- A failed attempt: queued again after :retry_after_seconds while attempts remain and the
-- error is worth retrying, else failed for good with its error. A file the job was
-- processing fails with it, so that it never stays 'processing'.
WITH failed AS (
    UPDATE jobs
    SET status = CASE WHEN :retryable AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,
        run_after = now() + make_interval(secs => :retry_after_seconds),
        finished_at = CASE WHEN :retryable AND attempts < max_attempts THEN NULL ELSE now() END,
        error = :error,
        lease_owner = NULL,
        lease_expires_at = NULL,
        version = version + 1,
        updated_at = now()
    WHERE id = :id AND lease_owner = :owner AND status = 'running'
    RETURNING id, status, error
),
file_failed AS (
    UPDATE files
    SET status = 'failed', error_message = failed.error, updated_at = now()
    FROM failed
    WHERE files.job_id = failed.id AND failed.status = 'failed' AND files.status = 'processing'
    RETURNING files.id
)
SELECT failed.id, failed.status
FROM failed
CROSS JOIN LATERAL pg_notify('optimizer_job_events', failed.id::text) AS told;
