-- start / pause / resume: from one of :from_statuses to :to_status. Running again means
-- due now; an error streak is forgotten, since the operator chose to go on.
UPDATE csv_jobs
SET status = :to_status,
    next_run_at = CASE WHEN :to_status = 'running' THEN :now::timestamptz ELSE next_run_at END,
    consecutive_failures = CASE WHEN :to_status = 'running' THEN 0 ELSE consecutive_failures END,
    started_at = coalesce(started_at, CASE WHEN :to_status = 'running' THEN :now::timestamptz END),
    updated_at = now()
WHERE id = :job_id AND status = ANY(:from_statuses::text[])
RETURNING id, status;
