-- The batch (or the synchronous lookups) started: charged from here; now processing.
UPDATE hlr_batches
SET hlr_batch_started_at = coalesce(hlr_batch_started_at, now()),
    hlr_status = 'processing'
WHERE file_id = :file_id AND job_id = :job_id AND hlr_status IN ('uploading', 'processing')
RETURNING file_id;
