-- Voluum conversions, the offer/campaign name maps and the live events from SNS/SQS.
-- depends: 0001.phone-lists

CREATE TABLE api_voluum_conversions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    click_id text NOT NULL,
    transaction_id text,
    conversion_type text NOT NULL CHECK (conversion_type IN ('REG', 'FTD')),
    conversion_type_id text,
    postback_timestamp timestamptz,
    visit_timestamp timestamptz,
    custom_variable_1 text,
    custom_variable_2 text,
    custom_variable_3 text,
    custom_variable_4 text,
    custom_variable_5 text,
    custom_variable_6 text,
    custom_variable_7 text,
    custom_variable_8 text,
    custom_variable_9 text,
    custom_variable_10 text,
    affiliate_network_id text,
    affiliate_network_name text,
    browser text,
    browser_version text,
    campaign_id text,
    campaign_name text,
    city text,
    connection_type text,
    cost numeric,
    country_code text,
    country_name text,
    device text,
    device_name text,
    external_id text,
    external_id_type text,
    flow_id text,
    ip text,
    isp text,
    lander_id text,
    lander_name text,
    language text,
    offer_id text,
    offer_name text,
    os text,
    os_version text,
    path_id text,
    profit numeric,
    referrer text,
    region text,
    revenue numeric,
    traffic_source_id text,
    traffic_source_name text,
    user_agent text,
    source text,
    -- Ongage delivery state of the contact made from this conversion.
    generated_email text,
    processed boolean NOT NULL DEFAULT false,
    processed_at timestamptz NOT NULL DEFAULT now(),
    error_message text,
    retry_count integer NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    last_retry_at timestamptz,
    -- A conversion without a transaction id is still one conversion: NULLs must collide.
    CONSTRAINT api_voluum_conversions_natural_key
        UNIQUE NULLS NOT DISTINCT (click_id, transaction_id, conversion_type)
);
CREATE INDEX api_voluum_conversions_phone_idx ON api_voluum_conversions (custom_variable_1);
CREATE INDEX api_voluum_conversions_country_offer_idx
    ON api_voluum_conversions (country_code, offer_name, conversion_type);
CREATE INDEX api_voluum_conversions_postback_idx ON api_voluum_conversions (postback_timestamp);
CREATE INDEX api_voluum_conversions_processed_at_idx ON api_voluum_conversions (processed_at);
CREATE INDEX api_voluum_conversions_pending_idx
    ON api_voluum_conversions (country_code) WHERE NOT processed;

CREATE TABLE voluum_offers (
    offer_id varchar(64) PRIMARY KEY,
    offer_name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE voluum_campaigns (
    campaign_id varchar(64) PRIMARY KEY,
    campaign_name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The newest live event per phone. Offer and campaign names are joined from the two
-- maps above when read, so a rename in Voluum shows everywhere at once.
CREATE TABLE voluum_live_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    custom_variable_1 text NOT NULL UNIQUE,
    click_id text,
    campaign_id varchar(64),
    offer_id varchar(64),
    "timestamp" timestamptz,
    external_id text,
    traffic_source_id varchar(64),
    lander_id varchar(64),
    affiliate_network_id varchar(64),
    brand text,
    browser text,
    browser_version text,
    device text,
    model text,
    os text,
    os_version text,
    city text,
    region text,
    country_code varchar(10),
    isp text,
    ip text,
    referrer text,
    url text,
    user_agent text,
    language text,
    mobile_carrier text,
    connection_type text,
    flow_id varchar(64),
    path_id varchar(64),
    custom_variable_2 text,
    custom_variable_3 text,
    custom_variable_4 text,
    custom_variable_5 text,
    custom_variable_6 text,
    custom_variable_7 text,
    custom_variable_8 text,
    custom_variable_9 text,
    custom_variable_10 text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX voluum_live_events_offer_time_idx ON voluum_live_events (offer_id, "timestamp");
CREATE INDEX voluum_live_events_campaign_idx ON voluum_live_events (campaign_id);
CREATE INDEX voluum_live_events_time_idx ON voluum_live_events ("timestamp");
CREATE INDEX voluum_live_events_country_idx ON voluum_live_events (country_code);

-- Every live event exactly once, even when SQS redelivers: the key is the SNS message
-- id plus the event's position inside that message.
CREATE TABLE raw_live_voluum_sns_data (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    click_id text,
    campaign_id varchar(64),
    offer_id varchar(64),
    "timestamp" timestamptz,
    external_id text,
    traffic_source_id varchar(64),
    lander_id varchar(64),
    affiliate_network_id varchar(64),
    brand text,
    browser text,
    browser_version text,
    device text,
    model text,
    os text,
    os_version text,
    city text,
    region text,
    country_code varchar(10),
    isp text,
    ip text,
    referrer text,
    url text,
    user_agent text,
    language text,
    mobile_carrier text,
    connection_type text,
    flow_id varchar(64),
    path_id varchar(64),
    custom_variables text[],
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX raw_live_voluum_sns_data_created_idx ON raw_live_voluum_sns_data (created_at);

-- Messages that could not be parsed: kept with their error and deleted from the queue,
-- so one bad message never blocks or loops.
CREATE TABLE live_event_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id text NOT NULL,
    body text NOT NULL,
    error text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
