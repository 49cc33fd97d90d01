-- Removes a file's row (and, by cascade, its stats); returns the keys of its objects.
DELETE FROM files
WHERE id = :id AND kind = :kind
RETURNING raw_key, result_key,
          ARRAY(SELECT jsonb_array_elements_text(coalesce(options->'extra_keys', '[]'::jsonb)))
              AS extra_keys;
