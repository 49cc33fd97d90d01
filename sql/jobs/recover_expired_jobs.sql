-- Jobs whose worker died (the lease lapsed): queued again while attempts remain, failed
-- with a reason otherwise (and the kind's failure hook fails its subject in the same
-- transaction). Nothing stays 'running' forever.
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
    RETURNING id, kind, status, error
)
SELECT recovered.id, recovered.kind, recovered.status, recovered.error
FROM recovered
CROSS JOIN LATERAL pg_notify('optimizer_job_events', recovered.id::text) AS told;
