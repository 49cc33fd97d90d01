ALTER TABLE csv_active_records
    DROP COLUMN tick_id,
    DROP COLUMN attempts,
    DROP CONSTRAINT csv_active_records_send_status_check;
DELETE FROM csv_active_records WHERE send_status = 'invalid';
ALTER TABLE csv_active_records
    ADD CONSTRAINT csv_active_records_send_status_check
        CHECK (send_status IN ('pending', 'sent', 'failed'));
DROP TABLE csv_job_ticks;
ALTER TABLE csv_jobs
    DROP CONSTRAINT csv_jobs_claim_whole,
    DROP COLUMN completed_at,
    DROP COLUMN started_at,
    DROP COLUMN consecutive_failures,
    DROP COLUMN last_error,
    DROP COLUMN claim_expires_at,
    DROP COLUMN claimed_by;
