-- Every staged event into the raw table, once: a redelivered message changes nothing.
INSERT INTO raw_live_voluum_sns_data (
    idempotency_key, click_id, campaign_id, offer_id, "timestamp", external_id,
    traffic_source_id, lander_id, affiliate_network_id, brand, browser, browser_version,
    device, model, os, os_version, city, region, country_code, isp, ip, referrer, url,
    user_agent, language, mobile_carrier, connection_type, flow_id, path_id, custom_variables
)
SELECT idempotency_key, click_id, campaign_id, offer_id, "timestamp", external_id,
       traffic_source_id, lander_id, affiliate_network_id, brand, browser, browser_version,
       device, model, os, os_version, city, region, country_code, isp, ip, referrer, url,
       user_agent, language, mobile_carrier, connection_type, flow_id, path_id, custom_variables
FROM live_staging
ORDER BY idempotency_key
ON CONFLICT (idempotency_key) DO NOTHING;
