-- The offers to choose from, the same rule for smart cleaning and REG search: the offer
-- names of a country's conversions (every country's when :country_code is null), within
-- the window when one is given (postback time, :starts <= t < :ends).
SELECT DISTINCT offer_name
FROM api_voluum_conversions
WHERE offer_name IS NOT NULL
  AND offer_name <> ''
  AND (:country_code::text IS NULL OR country_code = :country_code::text)
  AND (:starts::timestamptz IS NULL OR postback_timestamp >= :starts::timestamptz)
  AND (:ends::timestamptz IS NULL OR postback_timestamp < :ends::timestamptz)
ORDER BY offer_name;
