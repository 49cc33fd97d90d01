-- A run's numbers, in the cleaned file's order. Emptied at each commit, kept with the
-- pooled connection (no catalog churn per run).
CREATE TEMPORARY TABLE IF NOT EXISTS hlr_phones (
    phone text NOT NULL,
    position bigint NOT NULL
) ON COMMIT DELETE ROWS;
