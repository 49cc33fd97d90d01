-- What was pushed for a day, per campaign: the answer for costs not pushed again.
SELECT campaign_id, status, response
FROM voluum_cost_pushes
WHERE day = :day AND campaign_id = ANY(:campaign_ids::text[]);
