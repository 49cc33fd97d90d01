-- One key by id, revoked or not.
SELECT id, key_id, name, scope, created_at, last_used_at, revoked_at
FROM api_keys
WHERE id = :id;
