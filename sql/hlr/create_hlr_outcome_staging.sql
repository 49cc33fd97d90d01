-- Each number of a run with its outcome, read by the statements that count, write the
-- live file and write the lists, all in one transaction.
CREATE TEMPORARY TABLE IF NOT EXISTS hlr_outcome_staging (
    phone text NOT NULL,
    position bigint NOT NULL,
    outcome text NOT NULL
) ON COMMIT DELETE ROWS;
