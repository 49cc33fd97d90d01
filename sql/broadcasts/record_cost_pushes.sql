-- The outcomes of this run's calls, on the rows it still holds.
UPDATE voluum_cost_pushes AS p
SET status = o.status,
    response = o.response,
    finished_at = now()
FROM unnest(:campaign_ids::text[], :statuses::text[], :responses::integer[])
    AS o (campaign_id, status, response)
WHERE p.day = :day AND p.campaign_id = o.campaign_id AND p.claim = :claim;
