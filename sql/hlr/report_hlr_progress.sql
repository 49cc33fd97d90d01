-- Numbers answered so far (reused ones included), as the progress route shows them.
UPDATE hlr_batches
SET hlr_num_complete = :num_complete
WHERE file_id = :file_id AND job_id = :job_id AND hlr_status IN ('uploading', 'processing')
RETURNING file_id;
