-- Conversions to push now, marked `pushing` so that no other sync pushes them too:
-- the given new ones; or (retry) pending ones left while Ongage was off, failed ones
-- under the retry limit not yet tried in this run, and pushes left `pushing` by a worker
-- that died. SKIP LOCKED: two containers never take the same row.
UPDATE api_voluum_conversions c
SET push_status = 'pushing', push_claimed_at = now()
WHERE c.id IN (
    SELECT id
    FROM api_voluum_conversions
    WHERE (id = ANY(:ids::uuid[]) AND push_status = 'pending')
       OR (:retry AND push_status = 'pending')
       OR (:retry AND push_status = 'failed' AND retry_count < :max_retries
           AND (last_retry_at IS NULL OR last_retry_at < :started))
       OR (:retry AND push_status = 'pushing' AND push_claimed_at < now() - interval '30 minutes')
    ORDER BY id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
)
RETURNING c.id, c.generated_email, c.custom_variable_1, c.custom_variable_2,
          c.custom_variable_3, c.country_code, c.country_name, c.ip, c.language, c.source,
          c.conversion_type, c.click_id, c.campaign_name, c.campaign_id, c.offer_name,
          c.offer_id, c.lander_name, c.traffic_source_id, c.traffic_source_name,
          c.transaction_id, c.device_name, c.os, c.browser, c.revenue::float8 AS revenue,
          c.external_id, c.postback_timestamp, c.visit_timestamp;
