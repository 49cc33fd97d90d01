-- The saved days, newest file first.
SELECT f.id, f.original_filename AS filename, f.uploaded_at, b.data_date,
       b.number_of_broadcasts
FROM files AS f
JOIN api_mmd_broadcasts_files AS b ON b.file_id = f.id
WHERE f.kind = 'broadcast_history' AND f.status IN ('processed', 'archived')
ORDER BY f.uploaded_at DESC
LIMIT :limit;
