-- Campaign names as Voluum sent them (a conversion's campaignName, or the campaign itself).
INSERT INTO voluum_campaigns AS o (campaign_id, campaign_name)
SELECT DISTINCT ON (id) id, name
FROM unnest(:ids::text[], :names::text[]) AS t (id, name)
WHERE id <> '' AND name IS NOT NULL AND name <> ''
ORDER BY id
ON CONFLICT (campaign_id) DO UPDATE SET campaign_name = EXCLUDED.campaign_name, updated_at = now()
WHERE o.campaign_name IS DISTINCT FROM EXCLUDED.campaign_name;
