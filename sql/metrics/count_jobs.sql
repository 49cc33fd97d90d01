-- /metrics: jobs waiting, running and failed, per kind, read at each scrape. Queued and
-- running jobs are few (each has a partial index); failed ones are kept only until the
-- purge schedule removes them (JOB_RETENTION_DAYS), so this stays a small grouped scan.
SELECT kind, status, count(*) AS jobs
FROM jobs
WHERE status IN ('queued', 'running', 'failed')
GROUP BY kind, status
ORDER BY kind, status;
