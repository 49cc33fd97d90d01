-- The newest event per phone: within the batch (DISTINCT ON), and against what is stored
-- (an older event never overwrites a newer one, whatever order SQS delivers them in).
INSERT INTO voluum_live_events AS e (
    custom_variable_1, click_id, campaign_id, offer_id, "timestamp", external_id,
    traffic_source_id, lander_id, affiliate_network_id, brand, browser, browser_version,
    device, model, os, os_version, city, region, country_code, isp, ip, referrer, url,
    user_agent, language, mobile_carrier, connection_type, flow_id, path_id,
    custom_variable_2, custom_variable_3, custom_variable_4, custom_variable_5,
    custom_variable_6, custom_variable_7, custom_variable_8, custom_variable_9,
    custom_variable_10
)
SELECT DISTINCT ON (phone)
       phone, click_id, campaign_id, offer_id, "timestamp", external_id,
       traffic_source_id, lander_id, affiliate_network_id, brand, browser, browser_version,
       device, model, os, os_version, city, region, country_code, isp, ip, referrer, url,
       user_agent, language, mobile_carrier, connection_type, flow_id, path_id,
       custom_variables[2], custom_variables[3], custom_variables[4], custom_variables[5],
       custom_variables[6], custom_variables[7], custom_variables[8], custom_variables[9],
       custom_variables[10]
FROM live_staging
WHERE phone IS NOT NULL
ORDER BY phone, "timestamp" DESC NULLS LAST, idempotency_key DESC
ON CONFLICT (custom_variable_1) DO UPDATE SET
    click_id = EXCLUDED.click_id,
    campaign_id = EXCLUDED.campaign_id,
    offer_id = EXCLUDED.offer_id,
    "timestamp" = EXCLUDED."timestamp",
    external_id = EXCLUDED.external_id,
    traffic_source_id = EXCLUDED.traffic_source_id,
    lander_id = EXCLUDED.lander_id,
    affiliate_network_id = EXCLUDED.affiliate_network_id,
    brand = EXCLUDED.brand,
    browser = EXCLUDED.browser,
    browser_version = EXCLUDED.browser_version,
    device = EXCLUDED.device,
    model = EXCLUDED.model,
    os = EXCLUDED.os,
    os_version = EXCLUDED.os_version,
    city = EXCLUDED.city,
    region = EXCLUDED.region,
    country_code = EXCLUDED.country_code,
    isp = EXCLUDED.isp,
    ip = EXCLUDED.ip,
    referrer = EXCLUDED.referrer,
    url = EXCLUDED.url,
    user_agent = EXCLUDED.user_agent,
    language = EXCLUDED.language,
    mobile_carrier = EXCLUDED.mobile_carrier,
    connection_type = EXCLUDED.connection_type,
    flow_id = EXCLUDED.flow_id,
    path_id = EXCLUDED.path_id,
    custom_variable_2 = EXCLUDED.custom_variable_2,
    custom_variable_3 = EXCLUDED.custom_variable_3,
    custom_variable_4 = EXCLUDED.custom_variable_4,
    custom_variable_5 = EXCLUDED.custom_variable_5,
    custom_variable_6 = EXCLUDED.custom_variable_6,
    custom_variable_7 = EXCLUDED.custom_variable_7,
    custom_variable_8 = EXCLUDED.custom_variable_8,
    custom_variable_9 = EXCLUDED.custom_variable_9,
    custom_variable_10 = EXCLUDED.custom_variable_10,
    updated_at = now()
WHERE e."timestamp" IS NULL OR EXCLUDED."timestamp" >= e."timestamp";
