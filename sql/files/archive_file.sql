-- Any state -> archived; the file and its result are kept.
UPDATE files
SET status = 'archived',
    archived_at = coalesce(archived_at, now()),
    updated_at = now()
WHERE id = :id AND kind = :kind
  -- A running HLR batch is paid for: its file stays until the results are in.
  AND NOT EXISTS (
      SELECT 1 FROM hlr_batches AS h
      WHERE h.file_id = :id AND h.hlr_status IN ('uploading', 'processing')
  )
RETURNING id, kind, original_filename, status, raw_key, result_key, size_bytes, record_count_total, record_count_clean, options, error_message, encoding, delimiter, job_id, uploaded_at, processing_started_at, processed_at, archived_at;
