-- Records the staged phones, which main_database lacks; returns how many. The staging is
-- distinct and in key order (index inserts then stay local), and the caller holds the
-- table's lock: a plain INSERT, where ON CONFLICT on every row cost as much again
-- (3M phones into an empty table: 8.6 s against 13.4 s).
WITH added AS (
    INSERT INTO main_database (custom_variable_1)
    SELECT phone FROM phone_staging
    RETURNING 1
)
SELECT count(*) AS added FROM added;
