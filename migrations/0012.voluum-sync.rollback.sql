DROP TABLE voluum_sync_results;
DROP TABLE voluum_sync_watermarks;
DROP TABLE voluum_name_failures;
DROP INDEX api_voluum_conversions_push_idx;
ALTER TABLE api_voluum_conversions
    DROP COLUMN push_claim,
    DROP COLUMN push_claimed_at,
    DROP COLUMN push_reason,
    DROP COLUMN push_status;
DROP INDEX api_voluum_ts_sources_job_idx;
ALTER TABLE api_voluum_ts_sources DROP COLUMN country_code, DROP COLUMN invalid_reason,
    DROP COLUMN job_id;
DROP TABLE os_version_rules;
