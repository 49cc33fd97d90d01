-- Extends the claim of a runner that still holds it; no row means it was lost.
UPDATE csv_jobs
SET claim_expires_at = :now::timestamptz + make_interval(secs => :lease_seconds)
WHERE id = :job_id AND claimed_by = :owner
RETURNING id;
