-- processing -> complete, with the files, the counts and what it cost.
UPDATE hlr_batches
SET hlr_status = 'complete',
    hlr_completed_at = now(),
    hlr_num_complete = hlr_num_items,
    result_key = :result_key,
    raw_key = :raw_key,
    hlr_credits_spent = :credits_spent,
    hlr_outcomes = :outcomes
WHERE file_id = :file_id AND job_id = :job_id AND hlr_status IN ('uploading', 'processing')
RETURNING file_id, hlr_status, hlr_batch_id, hlr_started_at, hlr_completed_at, hlr_num_items, hlr_num_complete, hlr_error_message, result_key, raw_key, job_id, hlr_mode, hlr_source_uploaded_at, hlr_batch_started_at, hlr_num_cached, hlr_num_sent, hlr_credits_spent::float8 AS hlr_credits_spent, hlr_outcomes;
