-- A staging table for one bulk write: COPY fills it, one INSERT … SELECT empties it.
CREATE TEMPORARY TABLE IF NOT EXISTS phone_staging (phone bigint NOT NULL) ON COMMIT DROP;
