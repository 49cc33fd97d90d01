-- The newest export of one table.
SELECT f.id, f.original_filename, e.table_name, f.status, f.uploaded_at AS created_at, f.processed_at AS completed_at,
       f.error_message
FROM db_exports e
JOIN files f ON f.id = e.file_id
WHERE e.table_name = :table_name AND f.kind = 'db_export'
ORDER BY f.uploaded_at DESC, f.id DESC
LIMIT 1;
