-- Where one number stands: its list and why, whether it was seen, whether it converted.
SELECT :phone::text AS phone,
       p.list_name, p.decided_by, p.reason, p.source, p.timestamp_created AS listed_at,
       EXISTS (SELECT 1 FROM main_database m WHERE m.custom_variable_1 = :phone) AS seen,
       (SELECT count(*) FROM api_voluum_conversions c WHERE c.custom_variable_1 = :phone)
           AS conversions
FROM (SELECT 1) AS one
LEFT JOIN phone_lists p ON p.custom_variable_1 = :phone;
