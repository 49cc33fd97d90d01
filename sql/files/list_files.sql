-- The newest files of one kind, at most :limit; an empty status list means every status.
-- The order is files_kind_uploaded_id_idx's (kind, uploaded_at DESC, id DESC), so the
-- scan reads the index from the newest and stops after :limit rows however long the
-- history is.
-- Only what a list shows (FileItem): lists are read far more often than anything else.
SELECT id, original_filename, status, record_count_total, record_count_clean, uploaded_at, processing_started_at, processed_at, error_message, size_bytes, encoding, delimiter, job_id
FROM files
WHERE kind = :kind
  AND (cardinality(:statuses::text[]) = 0 OR status = ANY(:statuses::text[]))
ORDER BY uploaded_at DESC, id DESC
LIMIT :limit;
