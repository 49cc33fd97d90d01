-- The live numbers on no risky network, in the cleaned file's order: the HLR download.
SELECT phone
FROM hlr_outcome_staging
WHERE outcome = 'live'
ORDER BY position;
