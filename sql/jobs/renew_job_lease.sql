-- Extends the lease of a job this worker still holds; no row means it was lost.
UPDATE jobs
SET lease_expires_at = now() + make_interval(secs => :lease_seconds)
WHERE id = :id AND lease_owner = :owner AND status = 'running'
RETURNING id;
