-- Every storage key a file row points at: its upload, its result, and the result's other
-- objects. What storage holds beyond these belongs to no file (see `storage orphans`).
SELECT stored.key
FROM files
CROSS JOIN LATERAL (
    SELECT files.raw_key
    UNION ALL
    SELECT files.result_key
    UNION ALL
    SELECT jsonb_array_elements_text(coalesce(files.options -> 'extra_keys', '[]'::jsonb))
) AS stored (key)
WHERE stored.key IS NOT NULL;
