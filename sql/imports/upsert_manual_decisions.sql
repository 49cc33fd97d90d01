-- Puts the staged numbers on :target as manual decisions, in one statement, and tells
-- for each what happened: added; moved from another list (a manual decision beats
-- OS-version evidence and replaces an earlier one); confirmed (already on :target by
-- OS-version or HLR evidence, now a manual decision that a later sync cannot undo);
-- or already there by a manual decision. The prior state is read in the same snapshot
-- as the write, so it is the state before this import.
WITH prior AS (
    SELECT p.custom_variable_1, p.list_name, p.decided_by
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
        timestamp_created = CASE
            WHEN p.list_name <> EXCLUDED.list_name THEN now() ELSE p.timestamp_created
        END,
        updated_at = now()
    WHERE p.list_name <> EXCLUDED.list_name OR p.decided_by <> 'manual'
    RETURNING p.custom_variable_1
)
SELECT s.phone,
       CASE
           WHEN prior.list_name IS NULL THEN 'added_to_' || :target
           WHEN prior.list_name <> :target THEN 'moved_from_' || prior.list_name
           WHEN prior.decided_by <> 'manual' THEN 'confirmed_on_' || :target
           ELSE 'rejected_duplicate'
       END AS result
FROM import_staging s
LEFT JOIN prior ON prior.custom_variable_1 = s.phone;
