-- The newest files of one kind, at most :limit; an empty status list means every status.
-- The order is files_kind_uploaded_id_idx's (kind, uploaded_at DESC, id DESC), so the
-- scan reads the index from the newest and stops after :limit rows however long the
-- history is.
-- Only what a list shows (FileItem): lists are read far more often than anything else.
-- A cleaning file's HLR run, if any, by its primary key (the eight hlr_* fields).
SELECT f.id, f.original_filename, f.status, f.record_count_total, f.record_count_clean, f.uploaded_at, f.processing_started_at, f.processed_at, f.error_message, f.size_bytes, f.encoding, f.delimiter, f.job_id,
       h.hlr_status, h.hlr_batch_id, h.hlr_started_at, h.hlr_completed_at, h.hlr_num_items, h.hlr_num_complete, h.hlr_error_message, h.raw_key AS hlr_raw_file_path
FROM files f
LEFT JOIN hlr_batches h ON h.file_id = f.id
WHERE f.kind = :kind
  AND (cardinality(:statuses::text[]) = 0 OR f.status = ANY(:statuses::text[]))
ORDER BY f.uploaded_at DESC, f.id DESC
LIMIT :limit;
