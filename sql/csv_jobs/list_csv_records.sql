-- A job's records in file order, optionally of one send status, a page at a time.
SELECT position, list_id, email, send_status, error_message, attempts, sent_at
FROM csv_active_records
WHERE file_id = :job_id AND (:send_status::text IS NULL OR send_status = :send_status)
ORDER BY position
LIMIT :limit OFFSET :offset;
