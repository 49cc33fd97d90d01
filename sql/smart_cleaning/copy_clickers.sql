-- A country's clickers: its whitelist numbers, those listed within the window when one
-- is given (:starts <= t < :ends, whole UTC days), as `number,timestamp` rows the way the
-- old service wrote them (the time in UTC, to the microsecond), oldest first.
SELECT custom_variable_1,
       to_char(timestamp_created AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')
FROM whitelist
WHERE country_code = :country_code
  AND (:starts::timestamptz IS NULL OR timestamp_created >= :starts::timestamptz)
  AND (:ends::timestamptz IS NULL OR timestamp_created < :ends::timestamptz)
ORDER BY timestamp_created, custom_variable_1;
