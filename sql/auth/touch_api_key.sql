-- Records use, at most once a minute per key, so that busy keys do not write per request.
-- The service skips this statement when the key it just read was used within the minute;
-- the condition here settles concurrent requests that both read an older time.
UPDATE api_keys
SET last_used_at = now()
WHERE id = :id
  AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
