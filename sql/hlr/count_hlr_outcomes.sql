-- How many numbers of the run had each outcome.
SELECT outcome, count(*) AS numbers
FROM hlr_outcome_staging
GROUP BY outcome;
