-- The Ongage drip runner: a claim on each job so one tick runs in one place, each
-- record's attempts and the tick that sent it, invalid rows kept apart, and the ticks'
-- history for operators.
-- depends: 0010.files-list-index

ALTER TABLE csv_jobs
    -- The runner holding the job's current tick, and until when (renewed while it runs);
    -- a lapsed claim means the runner died and another may take the job.
    ADD COLUMN claimed_by text,
    ADD COLUMN claim_expires_at timestamptz,
    ADD COLUMN last_error text,
    -- Ticks in a row that ended on an error: the next one waits longer.
    ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    ADD COLUMN started_at timestamptz,
    ADD COLUMN completed_at timestamptz,
    ADD CONSTRAINT csv_jobs_claim_whole
        CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL));

CREATE TABLE csv_job_ticks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES csv_jobs (id) ON DELETE CASCADE,
    runner text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    -- How many records this tick meant to send (between the job's limits).
    planned integer NOT NULL CHECK (planned >= 0),
    requests integer NOT NULL DEFAULT 0 CHECK (requests >= 0),
    sent integer NOT NULL DEFAULT 0 CHECK (sent >= 0),
    failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
    error text
);
CREATE INDEX csv_job_ticks_job_idx ON csv_job_ticks (job_id, id DESC);

-- `invalid`: a row kept with its position and reason, never sent.
ALTER TABLE csv_active_records
    DROP CONSTRAINT csv_active_records_send_status_check,
    ADD CONSTRAINT csv_active_records_send_status_check
        CHECK (send_status IN ('pending', 'sent', 'failed', 'invalid')),
    ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN tick_id bigint REFERENCES csv_job_ticks (id) ON DELETE SET NULL;
