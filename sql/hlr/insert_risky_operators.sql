-- Adds names; one per normalized key (the first spelling wins); a name that is nothing
-- but spaces and punctuation is skipped. Returns how many were added.
WITH added AS (
    INSERT INTO hlr_risky_operators (name)
    SELECT DISTINCT ON (hlr_network_key(name)) name
    FROM unnest(:names::text[]) WITH ORDINALITY AS given (name, position)
    WHERE hlr_network_key(name) <> ''
    ORDER BY hlr_network_key(name), position
    ON CONFLICT (name_key) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS added FROM added;
