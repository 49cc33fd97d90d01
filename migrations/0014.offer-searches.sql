-- Smart cleaning and REG search: one file of each kind processing at a time (the old
-- service's 409), each run's count per exclusion reason, and the conversions read by
-- offer and type whatever their country (an uploaded list's numbers are of any country).
-- depends: 0016.csv-jobs-runner

CREATE UNIQUE INDEX files_one_processing_idx ON files (kind)
    WHERE status = 'processing' AND kind IN ('smart_cleaning', 'reg_search');

-- Rows per outcome of the last run ({"ftd": 3, "duplicate": 1, "kept": 40, ...}).
ALTER TABLE offer_searches ADD COLUMN outcomes jsonb NOT NULL DEFAULT '{}'::jsonb;

CREATE INDEX api_voluum_conversions_offer_type_idx
    ON api_voluum_conversions (offer_name, conversion_type);
