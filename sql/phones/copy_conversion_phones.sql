-- Every phone that converted (any offer, any type). Conversions may hold tokens or
-- placeholders in custom_variable_1: only E.164 digits count.
SELECT DISTINCT custom_variable_1::bigint AS phone
FROM api_voluum_conversions
WHERE custom_variable_1 ~ '^[1-9][0-9]{5,14}$';
