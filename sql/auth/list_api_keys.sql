-- Every key, live ones first, newest first.
SELECT id, key_id, name, scope, created_at, last_used_at, revoked_at
FROM api_keys
ORDER BY revoked_at IS NOT NULL, created_at DESC;
