-- Each staged number's outcome from its answer: the status rules (hlr_status_outcomes),
-- and a live number on a risky network (its current network, else the original one) is
-- 'risky'. No usable answer is 'error'; a status no rule knows is 'unknown_status'.
INSERT INTO hlr_outcome_staging (phone, position, outcome)
SELECT s.phone,
       s.position,
       CASE
           WHEN c.custom_variable_1 IS NULL THEN 'error'
           WHEN o.outcome IS NULL THEN 'unknown_status'
           WHEN o.outcome = 'live' AND r.name_key IS NOT NULL THEN 'risky'
           ELSE o.outcome
       END
FROM hlr_phones s
LEFT JOIN api_hlr_live_numbers c
    ON c.custom_variable_1 = s.phone AND c."timestamp" > :fresh_since
LEFT JOIN hlr_status_outcomes o ON o.live_status = upper(trim(c.live_status))
LEFT JOIN hlr_risky_operators r
    ON r.name_key = hlr_network_key(coalesce(
        nullif(trim(c.current_network_details_name), ''), c.original_network_details_name
    ));
