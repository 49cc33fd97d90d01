-- Progress of a job this worker holds; streams are told through NOTIFY.
WITH reported AS (
    UPDATE jobs
    SET progress_done = :done,
        progress_total = :total,
        progress_message = :message,
        version = version + 1,
        updated_at = now()
    WHERE id = :id AND lease_owner = :owner AND status = 'running'
    RETURNING id
)
SELECT reported.id
FROM reported
CROSS JOIN LATERAL pg_notify('optimizer_job_events', reported.id::text) AS told;
