-- One page of conversions, each stored once: a conversion seen again (an overlapping
-- window, a retried job, a second container) is left as it is. Returns the new ones.
INSERT INTO api_voluum_conversions (
    click_id, transaction_id, conversion_type, conversion_type_id, postback_timestamp,
    visit_timestamp, custom_variable_1, custom_variable_2, custom_variable_3,
    custom_variable_4, custom_variable_5, custom_variable_6, custom_variable_7,
    custom_variable_8, custom_variable_9, custom_variable_10, affiliate_network_id,
    affiliate_network_name, browser, browser_version, campaign_id, campaign_name, city,
    connection_type, cost, country_code, country_name, device, device_name, external_id,
    external_id_type, flow_id, ip, isp, lander_id, lander_name, language, offer_id,
    offer_name, os, os_version, path_id, profit, referrer, region, revenue,
    traffic_source_id, traffic_source_name, user_agent, source, generated_email,
    push_status, push_reason, error_message
)
SELECT DISTINCT ON (click_id, transaction_id, conversion_type)
       click_id, transaction_id, conversion_type, conversion_type_id, postback_timestamp,
       visit_timestamp, custom_variable_1, custom_variable_2, custom_variable_3,
       custom_variable_4, custom_variable_5, custom_variable_6, custom_variable_7,
       custom_variable_8, custom_variable_9, custom_variable_10, affiliate_network_id,
       affiliate_network_name, browser, browser_version, campaign_id, campaign_name, city,
       connection_type, cost, country_code, country_name, device, device_name, external_id,
       external_id_type, flow_id, ip, isp, lander_id, lander_name, language, offer_id,
       offer_name, os, os_version, path_id, profit, referrer, region, revenue,
       traffic_source_id, traffic_source_name, user_agent, source, generated_email,
       push_status, push_reason,
       CASE WHEN invalid_reason IS NOT NULL THEN 'INVALID_PHONE_NUMBER' END
FROM conversion_staging
ORDER BY click_id, transaction_id, conversion_type, postback_timestamp DESC NULLS LAST
ON CONFLICT ON CONSTRAINT api_voluum_conversions_natural_key DO NOTHING
RETURNING id, push_status;
