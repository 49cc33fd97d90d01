-- HLR decisions onto the lists, in one statement. Precedence: an HLR decision replaces
-- OS-version evidence and an earlier HLR decision; a manual decision is never touched.
-- Live numbers are not written here (release_hlr_decisions.sql takes an earlier HLR
-- entry of theirs off its list). Returns how many
-- numbers had a decision and how many rows changed.
WITH decided AS (
    SELECT phone,
           CASE outcome WHEN 'monitored' THEN 'monitor' ELSE 'blacklist' END AS list_name,
           CASE outcome
               WHEN 'failed' THEN 'HLR_FAILED'
               WHEN 'risky' THEN 'HLR_RISKY_NETWORK'
               ELSE 'HLR_MONITORED'
           END AS reason
    FROM hlr_outcome_staging
    WHERE outcome IN ('failed', 'risky', 'monitored')
),
written AS (
    INSERT INTO phone_lists AS p (custom_variable_1, list_name, decided_by, reason, source)
    SELECT phone, list_name, 'hlr', reason, :source
    FROM decided
    ORDER BY phone
    ON CONFLICT (custom_variable_1) DO UPDATE SET
        list_name = EXCLUDED.list_name,
        decided_by = 'hlr',
        reason = EXCLUDED.reason,
        source = EXCLUDED.source,
        timestamp_created = CASE
            WHEN p.list_name <> EXCLUDED.list_name THEN now() ELSE p.timestamp_created
        END,
        updated_at = now()
    WHERE p.decided_by <> 'manual'
      AND (p.list_name <> EXCLUDED.list_name
           OR p.decided_by <> 'hlr'
           OR p.reason IS DISTINCT FROM EXCLUDED.reason)
    RETURNING 1
)
SELECT (SELECT count(*) FROM decided) AS decided, (SELECT count(*) FROM written) AS written;
