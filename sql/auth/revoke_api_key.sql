-- Revokes a live key by id; revoking twice changes nothing.
UPDATE api_keys
SET revoked_at = now()
WHERE id = :id AND revoked_at IS NULL
RETURNING id, key_id, name, scope, created_at, last_used_at, revoked_at;
