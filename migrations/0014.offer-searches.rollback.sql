DROP INDEX api_voluum_conversions_offer_type_idx;
ALTER TABLE offer_searches DROP COLUMN outcomes;
DROP INDEX files_one_processing_idx;
