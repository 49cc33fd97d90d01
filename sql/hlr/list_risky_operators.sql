-- The risky operators, by name.
SELECT name, name_key, added_at
FROM hlr_risky_operators
ORDER BY name_key;
