-- HLR validation: what makes a run resumable (the batch is recorded before it starts),
-- what it cost and found, the status rules and the risky operators as data.
-- depends: 0010.files-list-index

ALTER TABLE hlr_batches
    ADD COLUMN job_id uuid REFERENCES jobs (id) ON DELETE SET NULL,
    -- 'batch' (the batch API) or 'sync' (the v2 API, for a few new numbers).
    ADD COLUMN hlr_mode text CHECK (hlr_mode IN ('batch', 'sync')),
    -- Each step of a batch that may charge, once done: a restart skips it.
    ADD COLUMN hlr_source_uploaded_at timestamptz,
    ADD COLUMN hlr_batch_started_at timestamptz,
    ADD COLUMN hlr_num_cached integer CHECK (hlr_num_cached >= 0),
    ADD COLUMN hlr_num_sent integer CHECK (hlr_num_sent >= 0),
    ADD COLUMN hlr_credits_spent numeric CHECK (hlr_credits_spent >= 0),
    -- Numbers per outcome (live, risky, failed, monitored, unknown_status, error).
    ADD COLUMN hlr_outcomes jsonb NOT NULL DEFAULT '{}'::jsonb;

-- live_status -> what it means for the lists. A status missing here is counted as
-- unknown and reported, never dropped; an operator may add one with psql.
CREATE TABLE hlr_status_outcomes (
    live_status text PRIMARY KEY,
    outcome text NOT NULL CHECK (outcome IN ('live', 'failed', 'monitored'))
);
INSERT INTO hlr_status_outcomes (live_status, outcome) VALUES
    ('LIVE', 'live'),
    ('DEAD', 'failed'),
    ('NOT_AVAILABLE_NETWORK_ONLY', 'failed'),
    ('NOT_APPLICABLE', 'failed'),
    ('NO_TELESERVICE_PROVISIONED', 'failed'),
    ('ABSENT_SUBSCRIBER', 'monitored'),
    ('NO_COVERAGE', 'monitored'),
    ('INCONCLUSIVE', 'monitored');

-- How network names are compared: case, spacing and punctuation do not count.
CREATE FUNCTION hlr_network_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(lower(name), '[^[:alnum:]]+', '', 'g');

-- Networks whose live numbers are blacklisted (HLR_RISKY_NETWORK). Empty until an
-- operator loads theirs (PUT /hlr/risky-operators, or `optimizer hlr risky-operators`).
CREATE TABLE hlr_risky_operators (
    name text NOT NULL,
    name_key text GENERATED ALWAYS AS (hlr_network_key(name)) STORED PRIMARY KEY
        CHECK (name_key <> ''),
    added_at timestamptz NOT NULL DEFAULT now()
);
