-- A new draft job (the old defaults: every 60 s, 1 to 1 record), in the upload's transaction.
INSERT INTO csv_jobs (original_filename, total_records)
VALUES (:original_filename, :total_records)
RETURNING id, original_filename, status, total_records;
