-- A new key; only its public id and hash are stored.
INSERT INTO api_keys (key_id, key_hash, name, scope)
VALUES (:key_id, :key_hash, :name, :scope)
RETURNING id, key_id, name, scope, created_at, last_used_at, revoked_at;
