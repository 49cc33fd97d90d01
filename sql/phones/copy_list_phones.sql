-- One list's phones as integers, for COPY into a cleaning job (1M rows in ~0.1 s).
SELECT custom_variable_1::bigint AS phone
FROM phone_lists
WHERE list_name = :list_name;
