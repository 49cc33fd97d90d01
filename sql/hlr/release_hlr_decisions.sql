-- A number an earlier HLR run listed that now answers live (on no risky network) leaves
-- its list: the newer HLR answer replaces the older one. Manual and OS-version entries
-- stay. Returns how many left.
WITH released AS (
    DELETE FROM phone_lists AS p
    USING hlr_outcome_staging AS o
    WHERE o.phone = p.custom_variable_1 AND o.outcome = 'live' AND p.decided_by = 'hlr'
    RETURNING 1
)
SELECT count(*) AS released FROM released;
