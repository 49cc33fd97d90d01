-- The staged numbers without a usable earlier answer: what must be looked up (and paid).
-- An answer is usable when it was received after :fresh_since (the run's start minus
-- HLR_CACHE_DAYS).
SELECT s.phone
FROM hlr_phones s
WHERE NOT EXISTS (
    SELECT 1 FROM api_hlr_live_numbers c
    WHERE c.custom_variable_1 = s.phone AND c."timestamp" > :fresh_since
)
ORDER BY s.position;
