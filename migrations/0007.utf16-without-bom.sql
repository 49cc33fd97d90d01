-- Uploads in UTF-16 without a byte-order mark are recognised too.
-- depends: 0006.jobs-and-schedules

ALTER TABLE files DROP CONSTRAINT files_encoding_check;
ALTER TABLE files ADD CONSTRAINT files_encoding_check
    CHECK (encoding IN ('utf-8', 'utf-8-sig', 'utf-16', 'utf-16-le', 'utf-16-be', 'latin-1'));
