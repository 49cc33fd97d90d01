-- The three lists live in one table so that "a number is on at most one list" is a
-- unique index, not a promise kept by every writer. The legacy names stay as views.

CREATE TABLE phone_lists (
    custom_variable_1 text PRIMARY KEY
        CHECK (custom_variable_1 ~ '^[1-9][0-9]{5,14}$'),  -- E.164 digits, no '+'
    list_name text NOT NULL CHECK (list_name IN ('blacklist', 'whitelist', 'monitor')),
    -- Who decided: precedence is decided_by, not recency (OS-version evidence never
    -- undoes a manual or HLR decision).
    decided_by text NOT NULL CHECK (decided_by IN ('os_version', 'hlr', 'manual')),
    reason text,
    source text,
    country_code text CHECK (country_code ~ '^[A-Z]{2}$'),
    ip text,
    os_version text,
    browser_version text,
    click_2_reg numeric,
    reg_2_ftd numeric,
    clicks numeric,
    conversions numeric,
    cost numeric,
    cost_sources text,
    cpv numeric,
    custom_conversions_1 numeric,
    custom_conversions_2 numeric,
    custom_conversions_3 numeric,
    custom_revenue_1 numeric,
    custom_revenue_2 numeric,
    custom_revenue_3 numeric,
    cv numeric,
    epv numeric,
    errors numeric,
    profit numeric,
    revenue numeric,
    roi numeric,
    suspicious_clicks numeric,
    suspicious_clicks_percentage numeric,
    suspicious_visits numeric,
    suspicious_visits_percentage numeric,
    unique_visits numeric,
    visits numeric,
    -- When the number entered its current list (the legacy meaning of the column).
    timestamp_created timestamptz NOT NULL DEFAULT now(),
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Loading one list for a cleaning job and the metrics both filter on the list first.
CREATE INDEX phone_lists_list_phone_idx ON phone_lists (list_name, custom_variable_1);
CREATE INDEX phone_lists_list_created_idx ON phone_lists (list_name, timestamp_created);

CREATE VIEW blacklist AS
SELECT custom_variable_1, ip, os_version, browser_version, timestamp_created, reason, source,
       click_2_reg, reg_2_ftd, clicks, conversions, cost, cost_sources, cpv,
       custom_conversions_1, custom_conversions_2, custom_conversions_3,
       custom_revenue_1, custom_revenue_2, custom_revenue_3, cv, epv, errors, profit, revenue,
       roi, suspicious_clicks, suspicious_clicks_percentage, suspicious_visits,
       suspicious_visits_percentage, unique_visits, visits, decided_by, updated_at
FROM phone_lists
WHERE list_name = 'blacklist';

CREATE VIEW monitor AS
SELECT custom_variable_1, ip, os_version, browser_version, timestamp_created, reason, source,
       click_2_reg, reg_2_ftd, clicks, conversions, cost, cost_sources, cpv,
       custom_conversions_1, custom_conversions_2, custom_conversions_3,
       custom_revenue_1, custom_revenue_2, custom_revenue_3, cv, epv, errors, profit, revenue,
       roi, suspicious_clicks, suspicious_clicks_percentage, suspicious_visits,
       suspicious_visits_percentage, unique_visits, visits, decided_by, updated_at
FROM phone_lists
WHERE list_name = 'monitor';

CREATE VIEW whitelist AS
SELECT custom_variable_1, ip, os_version, browser_version, timestamp_created, source, country_code,
       click_2_reg, reg_2_ftd, clicks, conversions, cost, cost_sources, cpv,
       custom_conversions_1, custom_conversions_2, custom_conversions_3,
       custom_revenue_1, custom_revenue_2, custom_revenue_3, cv, epv, errors, profit, revenue,
       roi, suspicious_clicks, suspicious_clicks_percentage, suspicious_visits,
       suspicious_visits_percentage, unique_visits, visits, decided_by, updated_at
FROM phone_lists
WHERE list_name = 'whitelist';

-- Every number that survived a cleaning run with include_main_database: "seen before".
CREATE TABLE main_database (
    custom_variable_1 text PRIMARY KEY CHECK (custom_variable_1 ~ '^[1-9][0-9]{5,14}$'),
    timestamp_created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX main_database_created_idx ON main_database (timestamp_created);

-- Append-only: every Voluum traffic-source report row as synced, classified or not.
CREATE TABLE api_voluum_ts_sources (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    custom_variable_1 text,
    ip text,
    os_version text,
    browser_version text,
    category text NOT NULL CHECK (category IN ('BLACKLIST', 'WHITELIST', 'MONITOR', 'UNKNOWN')),
    data_source text NOT NULL DEFAULT 'VOLUUM',
    click_2_reg numeric,
    reg_2_ftd numeric,
    clicks numeric,
    conversions numeric,
    cost numeric,
    cost_sources text,
    cpv numeric,
    custom_conversions_1 numeric,
    custom_conversions_2 numeric,
    custom_conversions_3 numeric,
    custom_revenue_1 numeric,
    custom_revenue_2 numeric,
    custom_revenue_3 numeric,
    cv numeric,
    epv numeric,
    errors numeric,
    profit numeric,
    revenue numeric,
    roi numeric,
    suspicious_clicks numeric,
    suspicious_clicks_percentage numeric,
    suspicious_visits numeric,
    suspicious_visits_percentage numeric,
    unique_visits numeric,
    visits numeric,
    timestamp_created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_voluum_ts_sources_phone_idx ON api_voluum_ts_sources (custom_variable_1);
