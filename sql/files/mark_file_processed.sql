-- uploaded -> processed in one step, for files handled within their request (imports).
UPDATE files
SET status = 'processed',
    result_key = :result_key,
    record_count_total = :record_count_total,
    record_count_clean = :record_count_clean,
    processing_started_at = now(),
    processed_at = now(),
    updated_at = now()
WHERE id = :id AND status = 'uploaded'
RETURNING id, kind, original_filename, status, raw_key, result_key, size_bytes, record_count_total, record_count_clean, options, error_message, encoding, delimiter, job_id, uploaded_at, processing_started_at, processed_at, archived_at;
