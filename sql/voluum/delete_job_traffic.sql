-- A retried sync starts over: the rows its earlier attempt wrote go first.
DELETE FROM api_voluum_ts_sources WHERE job_id = :job_id;
