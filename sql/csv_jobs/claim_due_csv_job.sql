-- The running job due longest, claimed by one runner until :now + :lease_seconds.
-- SKIP LOCKED lets runners in several containers claim side by side, and a claim that
-- has not lapsed hides the job from every other runner: one tick of a job runs in one
-- place. A lapsed claim (its runner died) is taken over.
UPDATE csv_jobs
SET claimed_by = :owner,
    claim_expires_at = :now::timestamptz + make_interval(secs => :lease_seconds),
    updated_at = now()
WHERE id = (
    SELECT id
    FROM csv_jobs
    WHERE status = 'running'
      AND next_run_at <= :now::timestamptz
      AND (claim_expires_at IS NULL OR claim_expires_at <= :now::timestamptz)
    ORDER BY next_run_at, id
    FOR UPDATE SKIP LOCKED
    LIMIT 1
)
RETURNING id, interval_seconds, lower_limit, upper_limit, consecutive_failures;
