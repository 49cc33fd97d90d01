-- A processed cleaning file whose HLR is not active -> uploading, with the job doing it;
-- whatever an earlier run recorded is reset, but for the batch of a run that failed: it
-- may be paid for (a poll timeout leaves it running at the provider), so the new run
-- fetches its answers before it plans anything (app/hlr/jobs.py, _recover). No row back:
-- the file is not eligible. A second file while one runs breaks
-- hlr_batches_one_active_idx (one batch at a time).
INSERT INTO hlr_batches AS h (file_id, hlr_status, job_id, hlr_started_at)
SELECT f.id, 'uploading', :job_id, now()
FROM files f
WHERE f.id = :file_id AND f.kind = 'cleaning' AND f.status = 'processed'
ON CONFLICT (file_id) DO UPDATE SET
    hlr_status = 'uploading',
    job_id = EXCLUDED.job_id,
    hlr_started_at = now(),
    hlr_batch_id = CASE WHEN h.hlr_status = 'failed' THEN h.hlr_batch_id END,
    hlr_completed_at = NULL,
    hlr_num_items = NULL,
    hlr_num_complete = NULL,
    hlr_error_message = NULL,
    result_key = NULL,
    raw_key = NULL,
    hlr_mode = NULL,
    hlr_source_uploaded_at = NULL,
    hlr_batch_started_at = NULL,
    hlr_num_cached = NULL,
    hlr_num_sent = NULL,
    hlr_credits_spent = NULL,
    hlr_outcomes = '{}'::jsonb
WHERE h.hlr_status IN ('complete', 'failed')
RETURNING file_id, hlr_status, hlr_batch_id, hlr_started_at, hlr_completed_at, hlr_num_items, hlr_num_complete, hlr_error_message, result_key, raw_key, job_id, hlr_mode, hlr_source_uploaded_at, hlr_batch_started_at, hlr_num_cached, hlr_num_sent, hlr_credits_spent::float8 AS hlr_credits_spent, hlr_outcomes;
