-- A file that has just been stored.
INSERT INTO files (id, kind, original_filename, raw_key, size_bytes, record_count_total,
                   encoding, delimiter)
VALUES (:id, :kind, :original_filename, :raw_key, :size_bytes, :record_count_total,
        :encoding, :delimiter)
RETURNING id, kind, original_filename, status, raw_key, result_key, size_bytes, record_count_total, record_count_clean, options, error_message, encoding, delimiter, job_id, uploaded_at, processing_started_at, processed_at, archived_at;
