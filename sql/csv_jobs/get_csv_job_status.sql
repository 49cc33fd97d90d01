-- A job's status, to tell an unknown job (404) from an illegal transition (409).
SELECT id, status
FROM csv_jobs
WHERE id = :job_id;
