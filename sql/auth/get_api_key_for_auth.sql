-- The key behind a presented "opt_<key_id>_..." value, with its hash to compare.
SELECT id, key_id, key_hash, name, scope, revoked_at
FROM api_keys
WHERE key_id = :key_id;
