-- The batch id, stored before anything is uploaded or started: a restart resumes this
-- batch and never creates a second one.
UPDATE hlr_batches
SET hlr_batch_id = :batch_id
WHERE file_id = :file_id AND job_id = :job_id AND hlr_batch_id IS NULL
  AND hlr_status IN ('uploading', 'processing')
RETURNING file_id;
