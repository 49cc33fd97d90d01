-- The (day, campaign) costs this run may push, claimed for it: new ones, failed ones, ones
-- whose cost or currency changed since they were pushed, and claims older than
-- :stale_seconds (a run that died mid-call). One already pushed with this very cost, or
-- being pushed by another run, is not returned: nothing is pushed twice.
INSERT INTO voluum_cost_pushes AS p (day, campaign_id, cost, currency, status, claim)
SELECT :day, c.campaign_id, c.cost, :currency, 'pushing', :claim
FROM unnest(:campaign_ids::text[], :costs::numeric[]) AS c (campaign_id, cost)
ON CONFLICT (day, campaign_id) DO UPDATE SET
    cost = EXCLUDED.cost,
    currency = EXCLUDED.currency,
    status = 'pushing',
    claim = EXCLUDED.claim,
    response = NULL,
    claimed_at = now(),
    finished_at = NULL
WHERE p.status = 'failed'
   OR (p.status IN ('updated', 'no_visits')
       AND (p.cost <> EXCLUDED.cost OR p.currency <> EXCLUDED.currency))
   OR (p.status = 'pushing' AND p.claimed_at < now() - make_interval(secs => :stale_seconds))
RETURNING p.campaign_id;
