-- Rows per outcome of a finished run.
UPDATE offer_searches
SET outcomes = :outcomes
WHERE file_id = :file_id;
