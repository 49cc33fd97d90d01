-- The batch id, stored before anything is uploaded or started: a restart resumes this
-- batch and never creates a second one. It replaces :replaces (NULL: no batch yet), a
-- batch never started whose content is unknown (an upload whose answer was lost): such
-- a batch costs nothing and is never filled again (each number would be paid twice).
UPDATE hlr_batches
SET hlr_batch_id = :batch_id, hlr_source_uploaded_at = NULL
WHERE file_id = :file_id AND job_id = :job_id
  AND hlr_batch_id IS NOT DISTINCT FROM :replaces::text
  AND hlr_batch_started_at IS NULL
  AND hlr_status IN ('uploading', 'processing')
RETURNING file_id;
