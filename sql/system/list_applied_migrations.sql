-- The yoyo migrations applied to this database, oldest first (readiness compares them
-- with the files the running code ships).
SELECT migration_id
FROM _yoyo_migration
ORDER BY applied_at_utc, migration_id;
