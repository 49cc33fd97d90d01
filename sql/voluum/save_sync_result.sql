INSERT INTO voluum_sync_results (job_id, result)
VALUES (:job_id, :result)
ON CONFLICT (job_id) DO UPDATE SET result = EXCLUDED.result, finished_at = now();
