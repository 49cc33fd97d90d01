-- uploaded/failed (or whatever :from_statuses allows) -> processing, with the job doing it.
UPDATE files
SET status = 'processing',
    processing_started_at = now(),
    processed_at = NULL,
    error_message = NULL,
    job_id = :job_id,
    options = :options,
    updated_at = now()
WHERE id = :id AND kind = :kind AND status = ANY(:from_statuses::text[])
RETURNING id, kind, original_filename, status, raw_key, result_key, size_bytes, record_count_total, record_count_clean, options, error_message, encoding, delimiter, job_id, uploaded_at, processing_started_at, processed_at, archived_at;
