-- What the run will do: how many numbers, how many reused, how many sent and how. Only
-- the job that holds the run, while it is active. An earlier run's batch is done with
-- by now (its answers fetched, or it had none to give): the run's own comes next.
UPDATE hlr_batches
SET hlr_mode = :mode,
    hlr_batch_id = NULL,
    hlr_source_uploaded_at = NULL,
    hlr_batch_started_at = NULL,
    hlr_num_items = :num_items,
    hlr_num_cached = :num_cached,
    hlr_num_sent = :num_sent,
    hlr_num_complete = :num_cached
WHERE file_id = :file_id AND job_id = :job_id AND hlr_mode IS NULL
  AND hlr_status IN ('uploading', 'processing')
RETURNING file_id, hlr_status, hlr_batch_id, hlr_started_at, hlr_completed_at, hlr_num_items, hlr_num_complete, hlr_error_message, result_key, raw_key, job_id, hlr_mode, hlr_source_uploaded_at, hlr_batch_started_at, hlr_num_cached, hlr_num_sent, hlr_credits_spent::float8 AS hlr_credits_spent, hlr_outcomes;
