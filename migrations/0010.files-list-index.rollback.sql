CREATE INDEX files_kind_uploaded_idx ON files (kind, uploaded_at DESC);
DROP INDEX files_kind_uploaded_id_idx;
