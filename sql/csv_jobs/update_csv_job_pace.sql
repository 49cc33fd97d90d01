-- The new pace; a tick reads it when it starts and when it sets the next one.
UPDATE csv_jobs
SET interval_seconds = :interval_seconds,
    lower_limit = :lower_limit,
    upper_limit = :upper_limit,
    updated_at = now()
WHERE id = :job_id
RETURNING id, status;
