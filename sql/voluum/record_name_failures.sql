-- Name lookups that failed just now, with why: each is left alone for a while.
INSERT INTO voluum_name_failures AS f (kind, entity_id, reason)
SELECT DISTINCT ON (kind, entity_id) kind, entity_id, reason
FROM unnest(:kinds::text[], :ids::text[], :reasons::text[]) AS t (kind, entity_id, reason)
ORDER BY kind, entity_id
ON CONFLICT (kind, entity_id) DO UPDATE
SET failed_at = now(), failures = f.failures + 1, reason = EXCLUDED.reason;
