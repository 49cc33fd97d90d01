-- The HLR run of one file (none if it never had one).
SELECT file_id, hlr_status, hlr_batch_id, hlr_started_at, hlr_completed_at, hlr_num_items, hlr_num_complete, hlr_error_message, result_key, raw_key, job_id, hlr_mode, hlr_source_uploaded_at, hlr_batch_started_at, hlr_num_cached, hlr_num_sent, hlr_credits_spent::float8 AS hlr_credits_spent, hlr_outcomes
FROM hlr_batches
WHERE file_id = :file_id;
