-- Revokes the live key with this name.
UPDATE api_keys
SET revoked_at = now()
WHERE name = :name AND revoked_at IS NULL
RETURNING id, key_id, name, scope, created_at, last_used_at, revoked_at;
