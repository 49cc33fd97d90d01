-- Staging lives for the transaction: a second import in the same transaction must not
-- see the first one's rows.
TRUNCATE import_staging;
