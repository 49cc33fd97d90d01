-- Offer and campaign ids seen lately (live events, conversions) that have no name yet,
-- leaving out those whose lookup failed less than :retry_hours ago; never-failed ids
-- first, then the longest-failed: a few ids that keep failing cannot crowd out the rest.
WITH seen AS (
    SELECT offer_id, campaign_id
    FROM voluum_live_events
    WHERE "timestamp" > now() - make_interval(hours => :hours)
    UNION
    SELECT offer_id, campaign_id
    FROM api_voluum_conversions
    WHERE processed_at > now() - make_interval(hours => :hours)
),
unnamed AS (
    SELECT 'offer' AS kind, offer_id AS id
    FROM seen
    WHERE offer_id <> '' AND offer_id <> '00000000-0000-0000-0000-000000000000'
      AND NOT EXISTS (SELECT 1 FROM voluum_offers o WHERE o.offer_id = seen.offer_id)
    UNION
    SELECT 'campaign', campaign_id
    FROM seen
    WHERE campaign_id <> '' AND campaign_id <> '00000000-0000-0000-0000-000000000000'
      AND NOT EXISTS (SELECT 1 FROM voluum_campaigns c WHERE c.campaign_id = seen.campaign_id)
)
SELECT u.kind, u.id
FROM unnamed u
LEFT JOIN voluum_name_failures f ON f.kind = u.kind AND f.entity_id = u.id
WHERE f.failed_at IS NULL OR f.failed_at < now() - make_interval(hours => :retry_hours)
ORDER BY f.failed_at NULLS FIRST, u.kind, u.id
LIMIT :limit;
