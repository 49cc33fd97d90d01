-- The latest run of each named schedule, with the outcome of its job.
SELECT DISTINCT ON (r.schedule_name)
       r.schedule_name, r.tick, r.claimed_by, r.claimed_at, r.job_id,
       j.status, j.error, j.started_at, j.finished_at
FROM schedule_runs r
LEFT JOIN jobs j ON j.id = r.job_id
WHERE r.schedule_name = ANY(:names::text[])
ORDER BY r.schedule_name, r.tick DESC;
