-- A file that has just been stored. clock_timestamp(), not now(): the moment of this
-- upload, even inside a longer transaction.
INSERT INTO files (id, kind, original_filename, raw_key, size_bytes, record_count_total,
                   encoding, delimiter, uploaded_at)
VALUES (:id, :kind, :original_filename, :raw_key, :size_bytes, :record_count_total,
        :encoding, :delimiter, clock_timestamp())
RETURNING id, kind, original_filename, status, raw_key, result_key, size_bytes, record_count_total, record_count_clean, options, error_message, encoding, delimiter, job_id, uploaded_at, processing_started_at, processed_at, archived_at;
