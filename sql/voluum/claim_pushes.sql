-- Conversions to push now, marked `pushing` by this run (`:claim`) so that no other sync
-- pushes them too: the given new ones; or (retry) pending ones left while Ongage was off,
-- failed ones under the retry limit not yet tried in this run, and pushes left `pushing`
-- by a run that has held them longer than any push can take (`:stale_seconds`, derived
-- from the Ongage client's longest call): its worker died. Every path takes only rows
-- with a generated email (a valid phone) in a country pushed now (`:countries`), as the
-- first push does. SKIP LOCKED: two containers never take the same row.
UPDATE api_voluum_conversions c
SET push_status = 'pushing', push_claimed_at = now(), push_claim = :claim::uuid
WHERE c.id IN (
    SELECT id
    FROM api_voluum_conversions
    WHERE generated_email IS NOT NULL AND generated_email <> ''
      AND country_code = ANY(:countries::text[])
      AND ((id = ANY(:ids::uuid[]) AND push_status = 'pending')
        OR (:retry AND push_status = 'pending')
        OR (:retry AND push_status = 'failed' AND retry_count < :max_retries
            AND (last_retry_at IS NULL OR last_retry_at < :started))
        OR (:retry AND push_status = 'pushing'
            AND push_claimed_at < now() - make_interval(secs => :stale_seconds)))
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
