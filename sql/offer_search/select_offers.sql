-- The offers a run is for; the outcomes of the previous run go with it.
UPDATE offer_searches
SET selected_offers = :offers::text[], outcomes = '{}'::jsonb
WHERE file_id = :file_id
RETURNING file_id;
