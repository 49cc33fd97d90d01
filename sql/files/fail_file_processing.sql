-- The file a job was processing, when that job failed for good: 'failed' with the job's
-- error, so that it never stays 'processing'. A file that moved on meanwhile is left be.
UPDATE files
SET status = 'failed', error_message = :error, updated_at = now()
WHERE job_id = :job_id AND status = 'processing'
RETURNING id
