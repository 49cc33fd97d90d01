-- Hands a job back on shutdown: it did not fail, so the attempt is not counted.
WITH released AS (
    UPDATE jobs
    SET status = 'queued',
        attempts = greatest(attempts - 1, 0),
        run_after = now(),
        lease_owner = NULL,
        lease_expires_at = NULL,
        version = version + 1,
        updated_at = now()
    WHERE id = :id AND lease_owner = :owner AND status = 'running'
    RETURNING id
)
SELECT released.id
FROM released
CROSS JOIN LATERAL pg_notify('optimizer_jobs_queued', released.id::text) AS woken;
