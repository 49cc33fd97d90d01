-- One run's answers, in api_hlr_live_numbers' own columns (the provider's, dots as
-- underscores), as COPY brings them; no key, no checks: the upsert picks what is usable.
CREATE TEMPORARY TABLE IF NOT EXISTS hlr_result_staging (LIKE api_hlr_live_numbers)
    ON COMMIT DELETE ROWS;
