-- The next unsent records in file order, only while the job runs and this runner holds
-- it: a pause takes effect before the next send.
SELECT r.id, r.position, r.list_id, r.email, r.country, r.source, r.mobile,
       r.conversion_type, r.original_source, r.hlr_status, r.uuid
FROM csv_active_records AS r
JOIN csv_jobs AS j ON j.id = r.file_id
WHERE r.file_id = :job_id
  AND r.send_status = 'pending'
  AND j.status = 'running'
  AND j.claimed_by = :owner
ORDER BY r.position
LIMIT :limit;
