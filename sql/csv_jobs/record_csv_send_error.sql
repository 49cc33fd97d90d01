-- A batch Ongage could not be asked about (5xx, timeout, 429 past its waits): each record
-- stays unsent for a later tick, with the error and one more attempt; after
-- :max_attempts it is failed for good, so one bad batch cannot stall a job forever.
WITH held AS (
    UPDATE csv_jobs
    SET claim_expires_at = :now::timestamptz + make_interval(secs => :lease_seconds)
    WHERE id = :job_id AND claimed_by = :owner
    RETURNING id
),
bumped AS (
    UPDATE csv_active_records AS r
    SET attempts = r.attempts + 1,
        error_message = :error,
        send_status = CASE WHEN r.attempts + 1 >= :max_attempts THEN 'failed' ELSE 'pending' END,
        tick_id = :tick_id
    FROM held
    WHERE r.id = ANY(:ids::bigint[]) AND r.file_id = held.id AND r.send_status = 'pending'
    RETURNING r.send_status
),
counted AS (
    UPDATE csv_job_ticks AS t
    SET requests = t.requests + 1,
        failed = t.failed + (SELECT count(*) FROM bumped WHERE send_status = 'failed')
    FROM held
    WHERE t.id = :tick_id
    RETURNING t.id
)
SELECT count(*) AS held
FROM held;
