-- Rows this run (`:claim`) claimed but could not push for a reason that is no contact's
-- fault (Ongage refused our credentials): pending again, their tries unchanged.
UPDATE api_voluum_conversions
SET push_status = 'pending', push_claimed_at = NULL, push_claim = NULL
WHERE id = ANY(:ids::uuid[]) AND push_status = 'pushing' AND push_claim = :claim::uuid;
