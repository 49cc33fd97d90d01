-- One broadcast history file per date: a re-run replaces that date's file (the old
-- service added a second row each time).
-- depends: 0013.hlr

DROP INDEX api_mmd_broadcasts_files_date_idx;
CREATE UNIQUE INDEX api_mmd_broadcasts_files_date_key ON api_mmd_broadcasts_files (data_date);
