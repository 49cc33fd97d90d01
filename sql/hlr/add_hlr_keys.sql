-- The run's stored objects join the file's other objects, so that deleting the file
-- deletes them and `storage orphans` knows whose they are.
UPDATE files
SET options = jsonb_set(
        options,
        '{extra_keys}',
        (SELECT coalesce(jsonb_agg(DISTINCT key), '[]'::jsonb)
         FROM jsonb_array_elements_text(
             coalesce(options -> 'extra_keys', '[]'::jsonb) || to_jsonb(:keys::text[])
         ) AS key)
    ),
    updated_at = now()
WHERE id = :file_id;
