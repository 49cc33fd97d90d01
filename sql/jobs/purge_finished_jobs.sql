-- Finished jobs past their retention; files and schedule runs keep their rows (SET NULL).
DELETE FROM jobs
WHERE status IN ('succeeded', 'failed')
  AND finished_at < now() - make_interval(days => :retention_days);
