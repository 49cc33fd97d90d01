-- The first key of an empty installation; inserts nothing once any key exists. Two
-- containers starting at once: the live-name index lets one win, the other gets no row.
INSERT INTO api_keys (key_id, key_hash, name, scope)
SELECT :key_id, :key_hash, :name, :scope
WHERE NOT EXISTS (SELECT 1 FROM api_keys)
ON CONFLICT DO NOTHING
RETURNING id, key_id, name, scope, created_at, last_used_at, revoked_at;
