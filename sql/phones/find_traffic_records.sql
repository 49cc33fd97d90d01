-- /find_records: the Voluum traffic rows of one phone (was an f-string: SQL injection).
-- Numbers as float8, as the old service's JSON had them.
SELECT id, custom_variable_1, ip, os_version, browser_version, category, data_source,
       click_2_reg::float8, reg_2_ftd::float8, clicks::float8, conversions::float8,
       cost::float8, cost_sources, cpv::float8, custom_conversions_1::float8,
       custom_conversions_2::float8, custom_conversions_3::float8, custom_revenue_1::float8,
       custom_revenue_2::float8, custom_revenue_3::float8, cv::float8, epv::float8,
       errors::float8, profit::float8, revenue::float8, roi::float8,
       suspicious_clicks::float8, suspicious_clicks_percentage::float8,
       suspicious_visits::float8, suspicious_visits_percentage::float8,
       unique_visits::float8, visits::float8, timestamp_created
FROM api_voluum_ts_sources
WHERE custom_variable_1 = :phone
ORDER BY timestamp_created DESC, id DESC
LIMIT 10000;
