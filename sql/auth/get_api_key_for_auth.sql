-- The key behind a presented "opt_<key_id>_..." value, with its hash to compare and when
-- it was last used (the service records a use only when that is a minute old).
SELECT id, key_id, key_hash, name, scope, revoked_at, last_used_at
FROM api_keys
WHERE key_id = :key_id;
