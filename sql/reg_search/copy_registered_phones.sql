-- REG search: the distinct numbers that registered (REG) on the chosen offers in the
-- country within the window (postback time, :starts <= t < :ends), each with whether it
-- deposited (FTD) on those offers in that country at any time: an FTD outside the window
-- still means the number deposited. Only E.164 digits are numbers.
WITH registered AS (
    SELECT DISTINCT custom_variable_1 AS phone
    FROM api_voluum_conversions
    WHERE conversion_type = 'REG'
      AND country_code = :country_code
      AND offer_name = ANY(:offers::text[])
      AND (:starts::timestamptz IS NULL OR postback_timestamp >= :starts::timestamptz)
      AND (:ends::timestamptz IS NULL OR postback_timestamp < :ends::timestamptz)
      AND custom_variable_1 ~ '^[1-9][0-9]{5,14}$'
),
deposited AS (
    SELECT DISTINCT custom_variable_1 AS phone
    FROM api_voluum_conversions
    WHERE conversion_type = 'FTD'
      AND country_code = :country_code
      AND offer_name = ANY(:offers::text[])
)
SELECT r.phone, d.phone IS NOT NULL AS deposited
FROM registered r
LEFT JOIN deposited d ON d.phone = r.phone
ORDER BY r.phone::bigint;
