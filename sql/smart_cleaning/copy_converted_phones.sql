-- The numbers that converted on the chosen offers, at any time, by the conversion's
-- country and whether it was a deposit (FTD) or a registration (REG): a run removes
-- those of its file's country (:country_code), or for an upload (null) those of each
-- number's own country. Only E.164 digits can match a number of the file.
SELECT custom_variable_1::bigint AS phone,
       country_code,
       bool_or(conversion_type = 'FTD') AS ftd,
       bool_or(conversion_type = 'REG') AS reg
FROM api_voluum_conversions
WHERE offer_name = ANY(:offers::text[])
  AND conversion_type = ANY(:types::text[])
  AND (:country_code::text IS NULL OR country_code = :country_code::text)
  AND custom_variable_1 ~ '^[1-9][0-9]{5,14}$'
GROUP BY custom_variable_1, country_code;
