-- One lifecycle for every stored file (the old service had six near-identical tables).
-- Kind-specific facts that routes filter or report on live in small side tables keyed
-- by the file; free-form processing options stay in `options`.
-- depends: 0002.voluum

CREATE TABLE files (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN (
        'cleaning', 'encryption', 'smart_cleaning', 'reg_search', 'broadcast_history',
        'db_export', 'manual_import', 'blacklist_import'
    )),
    original_filename text NOT NULL,
    status text NOT NULL DEFAULT 'uploaded'
        CHECK (status IN ('uploaded', 'processing', 'processed', 'failed', 'archived')),
    -- Storage object keys, never absolute server paths.
    raw_key text,
    result_key text,
    size_bytes bigint CHECK (size_bytes >= 0),
    record_count_total integer CHECK (record_count_total >= 0),
    record_count_clean integer CHECK (record_count_clean >= 0),
    options jsonb NOT NULL DEFAULT '{}'::jsonb,
    error_message text,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    processing_started_at timestamptz,
    processed_at timestamptz,
    archived_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Every list route filters by kind (and often status) and shows the newest first.
CREATE INDEX files_kind_status_uploaded_idx ON files (kind, status, uploaded_at DESC);
CREATE INDEX files_kind_uploaded_idx ON files (kind, uploaded_at DESC);

CREATE TABLE csv_processing_stats (
    file_id uuid PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    total_records integer NOT NULL CHECK (total_records >= 0),
    removed_blacklist integer NOT NULL DEFAULT 0 CHECK (removed_blacklist >= 0),
    removed_monitor integer NOT NULL DEFAULT 0 CHECK (removed_monitor >= 0),
    removed_conversion integer NOT NULL DEFAULT 0 CHECK (removed_conversion >= 0),
    removed_maindatabase integer NOT NULL DEFAULT 0 CHECK (removed_maindatabase >= 0),
    removed_duplicates integer NOT NULL DEFAULT 0 CHECK (removed_duplicates >= 0),
    removed_invalid integer NOT NULL DEFAULT 0 CHECK (removed_invalid >= 0),
    final_clean_count integer NOT NULL CHECK (final_clean_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- HLR validation of a processed cleaning file.
CREATE TABLE hlr_batches (
    file_id uuid PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    hlr_status text NOT NULL
        CHECK (hlr_status IN ('uploading', 'processing', 'complete', 'failed')),
    hlr_batch_id text,
    hlr_started_at timestamptz NOT NULL DEFAULT now(),
    hlr_completed_at timestamptz,
    hlr_num_items integer CHECK (hlr_num_items >= 0),
    hlr_num_complete integer CHECK (hlr_num_complete >= 0),
    hlr_error_message text,
    result_key text,
    raw_key text
);
-- One HLR batch in flight at a time, as before: the vendor batch is the scarce thing.
CREATE UNIQUE INDEX hlr_batches_one_active_idx ON hlr_batches ((true))
    WHERE hlr_status IN ('uploading', 'processing');

CREATE TABLE manual_update_imports (
    file_id uuid PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    target text NOT NULL CHECK (target IN ('blacklist', 'whitelist', 'monitor')),
    uploaded_count integer NOT NULL DEFAULT 0 CHECK (uploaded_count >= 0),
    accepted_count integer NOT NULL DEFAULT 0 CHECK (accepted_count >= 0),
    rejected_count integer NOT NULL DEFAULT 0 CHECK (rejected_count >= 0)
);

CREATE TABLE db_exports (
    file_id uuid PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    table_name text NOT NULL
);
CREATE INDEX db_exports_table_idx ON db_exports (table_name);

-- Smart cleaning ("Voluum clickers") and REG search: the country, window and offers.
CREATE TABLE offer_searches (
    file_id uuid PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    country_code text CHECK (country_code ~ '^[A-Z]{2}$'),
    from_date date,
    to_date date CHECK (to_date IS NULL OR from_date IS NULL OR to_date >= from_date),
    offers text[] NOT NULL DEFAULT '{}',
    selected_offers text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE api_mmd_broadcasts_files (
    file_id uuid PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    data_date date NOT NULL,
    number_of_broadcasts integer NOT NULL CHECK (number_of_broadcasts >= 0)
);
CREATE INDEX api_mmd_broadcasts_files_date_idx ON api_mmd_broadcasts_files (data_date);
