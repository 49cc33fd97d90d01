-- The files of one kind, newest first; an empty status list means every status.
SELECT id, kind, original_filename, status, raw_key, result_key, size_bytes, record_count_total, record_count_clean, options, error_message, encoding, delimiter, job_id, uploaded_at, processing_started_at, processed_at, archived_at
FROM files
WHERE kind = :kind
  AND (cardinality(:statuses::text[]) = 0 OR status = ANY(:statuses::text[]))
ORDER BY uploaded_at DESC, id DESC;
