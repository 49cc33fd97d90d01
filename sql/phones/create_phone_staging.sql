-- Staging for one bulk write of phones (E.164 digits, as main_database keys them). It
-- lives as long as the pooled connection and is emptied at each commit: creating and
-- dropping it for every write costs catalog churn for nothing.
CREATE TEMPORARY TABLE IF NOT EXISTS phone_staging (phone text NOT NULL) ON COMMIT DELETE ROWS;
