-- The batch has its numbers: a restart must not upload them again (each would be paid twice).
UPDATE hlr_batches
SET hlr_source_uploaded_at = now()
WHERE file_id = :file_id AND job_id = :job_id AND hlr_status IN ('uploading', 'processing')
RETURNING file_id;
