-- The tick ends: the claim is released, the next tick set from the pace as it is now (a
-- PATCH during the tick applies), later after an error (doubling, at most an hour), and
-- the job completed, with no next tick, when nothing is left to send. The tick's row gets
-- its end.
WITH pending AS (
    SELECT EXISTS (
        SELECT 1 FROM csv_active_records
        WHERE file_id = :job_id AND send_status = 'pending'
    ) AS left_over
),
job AS (
    UPDATE csv_jobs AS j
    SET claimed_by = NULL,
        claim_expires_at = NULL,
        last_error = :error,
        consecutive_failures = CASE
            WHEN :error::text IS NULL THEN 0 ELSE j.consecutive_failures + 1
        END,
        next_run_at = CASE
            WHEN j.status = 'running' AND NOT pending.left_over THEN NULL  -- completed
            ELSE :tick_at::timestamptz + make_interval(
                secs => CASE
                    WHEN :error::text IS NULL THEN j.interval_seconds
                    ELSE least(
                        3600, j.interval_seconds * power(2, least(j.consecutive_failures + 1, 6))
                    )
                END
            )
        END,
        status = CASE
            WHEN j.status = 'running' AND NOT pending.left_over THEN 'completed' ELSE j.status
        END,
        completed_at = CASE
            WHEN j.status = 'running' AND NOT pending.left_over THEN :now::timestamptz
            ELSE j.completed_at
        END,
        updated_at = now()
    FROM pending
    WHERE j.id = :job_id AND j.claimed_by = :owner
    RETURNING j.id, j.status
),
ended AS (
    UPDATE csv_job_ticks AS t
    SET finished_at = :now::timestamptz,
        error = coalesce(:error, t.error)
    WHERE t.id = :tick_id
    RETURNING t.id
)
SELECT job.id, job.status
FROM job;
