-- MessageWhiz broadcast stats, HLR results kept for reuse, and the Ongage drip jobs.
-- depends: 0003.files

CREATE TABLE broadcast_campaign_stats (
    broadcast_id bigint PRIMARY KEY,
    campaign_id text,
    name text NOT NULL,
    send_date timestamptz,
    estimated_price numeric,
    recipient_count integer,
    bc_unique_clicks integer,
    bc_total_clicks integer,
    ctr numeric,
    dlr_delivered_count integer,
    dlr_sent_count integer,
    dlr_undelivered_count integer,
    dlr_rejected_count integer,
    voluum_visits integer,
    voluum_unique_visits integer,
    click_2_reg numeric,
    reg_2_ftd numeric,
    message_body text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX broadcast_campaign_stats_campaign_idx ON broadcast_campaign_stats (campaign_id);
CREATE INDEX broadcast_campaign_stats_send_date_idx ON broadcast_campaign_stats (send_date);

-- The HLR provider's CSV columns, dots turned into underscores. A fresh row means the
-- number is not looked up (and paid for) again.
CREATE TABLE api_hlr_live_numbers (
    custom_variable_1 text PRIMARY KEY CHECK (custom_variable_1 ~ '^[1-9][0-9]{5,14}$'),
    error text,
    request_parameters_telephone_number text,
    request_parameters_cache_days_private text,
    request_parameters_cache_days_global text,
    request_parameters_save_to_cache text,
    request_parameters_output_format text,
    credits_spent numeric,
    detected_telephone_number text,
    formatted_telephone_number text,
    telephone_number_type text,
    live_status text,
    original_network text,
    original_network_details_name text,
    original_network_details_mccmnc text,
    original_network_details_country_name text,
    original_network_details_country_iso3 text,
    original_network_details_area text,
    original_network_details_country_prefix text,
    current_network text,
    current_network_details_name text,
    current_network_details_mccmnc text,
    current_network_details_country_name text,
    current_network_details_country_iso3 text,
    current_network_details_country_prefix text,
    is_ported text,
    "timestamp" timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_hlr_live_numbers_timestamp_idx ON api_hlr_live_numbers ("timestamp");

CREATE TABLE csv_jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    original_filename text NOT NULL,
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'running', 'paused', 'completed', 'archived')),
    total_records integer NOT NULL DEFAULT 0 CHECK (total_records >= 0),
    interval_seconds integer NOT NULL DEFAULT 60 CHECK (interval_seconds >= 60),
    lower_limit integer NOT NULL DEFAULT 1 CHECK (lower_limit >= 1),
    upper_limit integer NOT NULL DEFAULT 1,
    next_run_at timestamptz,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT csv_jobs_limits_ordered CHECK (upper_limit >= lower_limit)
);
-- The drip runner looks for running jobs that are due.
CREATE INDEX csv_jobs_due_idx ON csv_jobs (next_run_at) WHERE status = 'running';

CREATE TABLE csv_active_records (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id uuid NOT NULL REFERENCES csv_jobs (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 0),
    list_id text,
    email text,
    country text,
    source text,
    mobile text,
    conversion_type text,
    original_source text,
    hlr_status text,
    uuid text,
    send_status text NOT NULL DEFAULT 'pending'
        CHECK (send_status IN ('pending', 'sent', 'failed')),
    sent_at timestamptz,
    error_message text,
    UNIQUE (file_id, position)
);
CREATE INDEX csv_active_records_pending_idx ON csv_active_records (file_id, position)
    WHERE send_status = 'pending';
