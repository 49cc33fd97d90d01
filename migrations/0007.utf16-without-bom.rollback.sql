ALTER TABLE files DROP CONSTRAINT files_encoding_check;
ALTER TABLE files ADD CONSTRAINT files_encoding_check
    CHECK (encoding IN ('utf-8', 'utf-8-sig', 'utf-16', 'latin-1'));
