-- The job's work is done.
WITH completed AS (
    UPDATE jobs
    SET status = 'succeeded',
        lease_owner = NULL,
        lease_expires_at = NULL,
        progress_done = coalesce(progress_total, progress_done),
        finished_at = now(),
        version = version + 1,
        updated_at = now()
    WHERE id = :id AND lease_owner = :owner AND status = 'running'
    RETURNING id
)
SELECT completed.id
FROM completed
CROSS JOIN LATERAL pg_notify('optimizer_job_events', completed.id::text) AS told;
