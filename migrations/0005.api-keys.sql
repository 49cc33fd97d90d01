-- API keys (stored as hashes, never the key) and the secret that signs stream tokens.
-- depends: 0004.broadcasts-hlr-ongage

CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The public half of a key ("opt_<key_id>_<secret>"), used to find its row.
    key_id text NOT NULL UNIQUE CHECK (key_id ~ '^[0-9a-f]{16}$'),
    -- SHA-256 of the whole key: keys are 256 random bits, so a fast hash is enough.
    key_hash bytea NOT NULL CHECK (octet_length(key_hash) = 32),
    name text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    scope text NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
-- A name picks one live key (the CLI revokes by name); revoked names may be reused.
CREATE UNIQUE INDEX api_keys_live_name_idx ON api_keys (name) WHERE revoked_at IS NULL;

-- One row: the HMAC secret shared by every container to sign short-lived stream tokens.
CREATE TABLE stream_token_secret (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    secret bytea NOT NULL CHECK (octet_length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
