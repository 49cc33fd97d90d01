-- Puts the staged numbers on :target as manual decisions, in one statement, and tells
-- for each what happened: added, moved from another list (a manual decision beats
-- OS-version evidence and replaces an earlier one), or already there. The prior list
-- is read in the same snapshot as the write, so it is the list before this import.
WITH prior AS (
    SELECT p.custom_variable_1, p.list_name
    FROM phone_lists p
    JOIN import_staging s ON s.phone = p.custom_variable_1
),
written AS (
    INSERT INTO phone_lists AS p (
        custom_variable_1, list_name, decided_by, reason, source, os_version,
        browser_version, ip
    )
    SELECT phone, :target, 'manual', reason, source, os_version, browser_version, ip
    FROM import_staging
    ORDER BY phone
    ON CONFLICT (custom_variable_1) DO UPDATE SET
        list_name = EXCLUDED.list_name,
        decided_by = 'manual',
        reason = EXCLUDED.reason,
        source = EXCLUDED.source,
        os_version = coalesce(EXCLUDED.os_version, p.os_version),
        browser_version = coalesce(EXCLUDED.browser_version, p.browser_version),
        ip = coalesce(EXCLUDED.ip, p.ip),
        timestamp_created = now(),
        updated_at = now()
    WHERE p.list_name <> EXCLUDED.list_name
    RETURNING p.custom_variable_1
)
SELECT s.phone,
       CASE
           WHEN prior.list_name IS NULL THEN 'added_to_' || :target
           WHEN prior.list_name = :target THEN 'rejected_duplicate'
           ELSE 'moved_from_' || prior.list_name
       END AS result
FROM import_staging s
LEFT JOIN prior ON prior.custom_variable_1 = s.phone;
