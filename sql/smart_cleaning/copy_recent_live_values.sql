-- Custom variable 1 of the live events of the last 24 hours on the chosen offers, as
-- stored: a phone, or a link token (the job decrypts and normalizes each). Offers are
-- named; events carry ids, found in the offer map and in the conversions. The newest
-- event per phone is in voluum_live_events, and every event in the raw table: a phone's
-- newest event may be on another offer than the one it clicked an hour before.
WITH chosen AS (
    SELECT offer_id FROM voluum_offers WHERE offer_name = ANY(:offers::text[])
    UNION
    SELECT offer_id FROM api_voluum_conversions
    WHERE offer_name = ANY(:offers::text[]) AND offer_id IS NOT NULL
)
SELECT e.custom_variable_1 AS value
FROM voluum_live_events e
WHERE e.offer_id IN (SELECT offer_id FROM chosen)
  AND e."timestamp" >= now() - interval '24 hours'
UNION
SELECT r.custom_variables[1]
FROM raw_live_voluum_sns_data r
WHERE r.offer_id IN (SELECT offer_id FROM chosen)
  -- Stored after it happened: bounds the scan by the index, with an hour for clock skew.
  AND r.created_at >= now() - interval '25 hours'
  AND r."timestamp" >= now() - interval '24 hours'
  AND r.custom_variables[1] IS NOT NULL;
