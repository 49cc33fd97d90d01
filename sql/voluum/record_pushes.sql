-- Each pushed conversion's own outcome, written only while this run (`:claim`) still
-- holds the row: a run whose claim another took over records nothing, so one answer is
-- never written twice nor over the new holder's. `processed` keeps its old meaning (in
-- Ongage); a failure counts as one more try. Answers the rows written.
UPDATE api_voluum_conversions c
SET push_status = o.status,
    push_reason = o.reason,
    push_claimed_at = NULL,
    push_claim = NULL,
    processed = (o.status = 'pushed'),
    error_message = CASE WHEN o.status = 'failed' THEN 'ONGAGE_INSERTION_FAILED' END,
    retry_count = CASE WHEN o.status = 'failed' THEN c.retry_count + 1 ELSE c.retry_count END,
    last_retry_at = CASE WHEN o.status = 'failed' THEN now() ELSE c.last_retry_at END
FROM unnest(:ids::uuid[], :statuses::text[], :reasons::text[]) AS o (id, status, reason)
WHERE c.id = o.id AND c.push_status = 'pushing' AND c.push_claim = :claim::uuid
RETURNING c.id, c.push_status;
