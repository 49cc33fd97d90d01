-- processing -> processed, with the result, its counts and any other objects the run
-- stored (so that deleting the file deletes them too). Only the job that holds the file,
-- while it still holds its lease: a stale attempt cannot write a result.
UPDATE files
SET status = 'processed',
    result_key = :result_key,
    record_count_total = :record_count_total,
    record_count_clean = :record_count_clean,
    options = options || jsonb_build_object('extra_keys', :extra_keys::text[]),
    processed_at = now(),
    updated_at = now()
WHERE id = :id
  AND status = 'processing'
  AND job_id = :job_id
  AND EXISTS (
      SELECT 1 FROM jobs
      WHERE jobs.id = :job_id AND jobs.lease_owner = :owner AND jobs.status = 'running'
  )
RETURNING id, kind, original_filename, status, raw_key, result_key, size_bytes, record_count_total, record_count_clean, options, error_message, encoding, delimiter, job_id, uploaded_at, processing_started_at, processed_at, archived_at;
