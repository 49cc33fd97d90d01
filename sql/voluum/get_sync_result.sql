SELECT result FROM voluum_sync_results WHERE job_id = :job_id;
