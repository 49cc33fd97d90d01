-- Each contact's outcome from Ongage's answer, the tick's counts and the claim renewed,
-- in one statement; written only while this runner holds the job, so a runner whose
-- claim lapsed cannot overwrite what another one now owns.
WITH held AS (
    UPDATE csv_jobs
    SET claim_expires_at = :now::timestamptz + make_interval(secs => :lease_seconds)
    WHERE id = :job_id AND claimed_by = :owner
    RETURNING id
),
outcome AS (
    SELECT o.id, o.status, o.error
    FROM unnest(:ids::bigint[], :statuses::text[], :errors::text[]) AS o (id, status, error)
),
written AS (
    UPDATE csv_active_records AS r
    SET send_status = outcome.status,
        error_message = outcome.error,
        sent_at = CASE WHEN outcome.status = 'sent' THEN :now::timestamptz END,
        attempts = r.attempts + 1,
        tick_id = :tick_id
    FROM outcome, held
    WHERE r.id = outcome.id AND r.file_id = held.id AND r.send_status = 'pending'
    RETURNING r.send_status
),
counted AS (
    UPDATE csv_job_ticks AS t
    SET requests = t.requests + 1,
        sent = t.sent + (SELECT count(*) FROM written WHERE send_status = 'sent'),
        failed = t.failed + (SELECT count(*) FROM written WHERE send_status = 'failed')
    FROM held
    WHERE t.id = :tick_id
    RETURNING t.id
)
SELECT count(*) AS written, (SELECT count(*) FROM held) AS held
FROM written;
