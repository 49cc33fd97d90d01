-- `optimizer demo-data`: puts on :list_name only the numbers that no list has yet, so an
-- operator's decision (or any other evidence) is never overridden, and a second run adds
-- nothing. Returns how many were added.
WITH added AS (
    INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, reason, source)
    SELECT phone, :list_name, 'manual', :reason, :source
    FROM unnest(:phones::text[]) AS phone
    ORDER BY phone
    ON CONFLICT (custom_variable_1) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS added FROM added;
