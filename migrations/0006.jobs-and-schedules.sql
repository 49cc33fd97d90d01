-- Durable background jobs, the runs of scheduled work, and what upload sniffing learns.
-- depends: 0005.api-keys

CREATE TABLE jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]*$'),
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    run_after timestamptz NOT NULL DEFAULT now(),
    -- The worker holding the job and until when; a lapsed lease means the worker died.
    lease_owner text,
    lease_expires_at timestamptz,
    progress_done bigint NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
    progress_total bigint CHECK (progress_total >= 0),
    progress_message text,
    error text,
    -- Bumped on every visible change: the SSE event id, so a reconnect resumes.
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_lease_held_while_running
        CHECK ((status = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);
-- Workers look for due queued jobs, and for running ones whose lease lapsed.
CREATE INDEX jobs_due_idx ON jobs (run_after, created_at) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE status IN ('succeeded', 'failed');

-- One row per schedule and tick: the primary key is what makes a tick run once however
-- many containers race for it. The work itself is a durable job.
CREATE TABLE schedule_runs (
    schedule_name text NOT NULL,
    tick timestamptz NOT NULL,
    job_id uuid REFERENCES jobs (id) ON DELETE SET NULL,
    claimed_by text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule_name, tick)
);

-- What sniffing found when the file arrived, so every reader decodes it the same way.
ALTER TABLE files
    ADD COLUMN encoding text CHECK (encoding IN ('utf-8', 'utf-8-sig', 'utf-16', 'latin-1')),
    ADD COLUMN delimiter text CHECK (length(delimiter) = 1),
    ADD COLUMN job_id uuid REFERENCES jobs (id) ON DELETE SET NULL;
