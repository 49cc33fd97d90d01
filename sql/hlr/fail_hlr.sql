-- The run a job was doing, when that job failed for good: failed with the job's error,
-- never left 'processing'.
UPDATE hlr_batches
SET hlr_status = 'failed', hlr_error_message = :error, hlr_completed_at = now()
WHERE job_id = :job_id AND hlr_status IN ('uploading', 'processing')
RETURNING file_id;
