-- Offer names as Voluum sent them (a conversion's offerName, or the offer itself).
INSERT INTO voluum_offers AS o (offer_id, offer_name)
SELECT DISTINCT ON (id) id, name
FROM unnest(:ids::text[], :names::text[]) AS t (id, name)
WHERE id <> '' AND name IS NOT NULL AND name <> ''
ORDER BY id
ON CONFLICT (offer_id) DO UPDATE SET offer_name = EXCLUDED.offer_name, updated_at = now()
WHERE o.offer_name IS DISTINCT FROM EXCLUDED.offer_name;
