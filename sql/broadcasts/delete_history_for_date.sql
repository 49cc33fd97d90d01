-- The date's previous history file goes (its side row by cascade); its object's key is
-- returned, to be deleted once the new one is committed.
DELETE FROM files AS f
USING api_mmd_broadcasts_files AS b
WHERE b.file_id = f.id AND b.data_date = :data_date::date AND f.kind = 'broadcast_history'
RETURNING f.result_key;
