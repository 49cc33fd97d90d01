-- Records the staged phones in main_database, set-based; returns how many were new.
WITH added AS (
    INSERT INTO main_database (custom_variable_1)
    SELECT DISTINCT phone::text FROM phone_staging
    ORDER BY 1
    ON CONFLICT (custom_variable_1) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS added FROM added;
