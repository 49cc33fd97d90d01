-- Removes a file's row (and, by cascade, its stats); returns the keys of its objects.
DELETE FROM files
WHERE id = :id AND kind = :kind
  -- A running HLR batch is paid for: its file stays until the results are in.
  AND NOT EXISTS (
      SELECT 1 FROM hlr_batches AS h
      WHERE h.file_id = :id AND h.hlr_status IN ('uploading', 'processing')
  )
RETURNING raw_key, result_key,
          ARRAY(SELECT jsonb_array_elements_text(coalesce(options->'extra_keys', '[]'::jsonb)))
              AS extra_keys;
