-- The file lists show a kind's newest uploads first, ties by id, a page at a time: an
-- index in exactly that order lets each list stop after its page instead of sorting the
-- kind's whole history. It replaces the one without the id.
-- depends: 0009.job-attempt-started

CREATE INDEX files_kind_uploaded_id_idx ON files (kind, uploaded_at DESC, id DESC);
DROP INDEX files_kind_uploaded_idx;
