-- A failed attempt: queued again after :retry_after_seconds while attempts remain and the
-- error is worth retrying, else failed for good with its error. (What that means for the
-- job's subject, a file for example, is its kind's failure hook, run in the same transaction.)
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
    RETURNING id, kind, status, error
)
SELECT failed.id, failed.kind, failed.status, failed.error
FROM failed
CROSS JOIN LATERAL pg_notify('optimizer_job_events', failed.id::text) AS told;
