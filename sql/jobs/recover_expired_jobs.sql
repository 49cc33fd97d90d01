-- Jobs whose worker died (the lease lapsed): queued again while attempts remain, failed
-- with a reason otherwise, and so is a file such a job was processing. Nothing stays
-- 'running' or 'processing' forever.
WITH recovered AS (
    UPDATE jobs
    SET status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
        error = CASE
            WHEN attempts < max_attempts THEN error
            ELSE 'The worker stopped during attempt ' || attempts || ' of ' || max_attempts
                 || ' (its lease expired)'
        END,
        finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END,
        run_after = now(),
        lease_owner = NULL,
        lease_expires_at = NULL,
        version = version + 1,
        updated_at = now()
    WHERE status = 'running' AND lease_expires_at < now()
    RETURNING id, status, error
),
file_failed AS (
    UPDATE files
    SET status = 'failed', error_message = recovered.error, updated_at = now()
    FROM recovered
    WHERE files.job_id = recovered.id
      AND recovered.status = 'failed'
      AND files.status = 'processing'
    RETURNING files.id
)
SELECT recovered.id, recovered.status
FROM recovered
CROSS JOIN LATERAL pg_notify('optimizer_job_events', recovered.id::text) AS told;
