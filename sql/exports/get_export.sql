-- One export by id.
SELECT f.id, f.original_filename, e.table_name, f.status, f.uploaded_at AS created_at, f.processed_at AS completed_at,
       f.error_message
FROM db_exports e
JOIN files f ON f.id = e.file_id
WHERE f.id = :id AND f.kind = 'db_export';
