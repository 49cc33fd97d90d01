-- The 50 newest manual imports, as the history shows them.
SELECT f.id, f.original_filename, m.target, m.uploaded_count, m.accepted_count,
       m.rejected_count, f.uploaded_at AS created_at
FROM manual_update_imports m
JOIN files f ON f.id = m.file_id
ORDER BY f.uploaded_at DESC, f.id DESC
LIMIT 50;
