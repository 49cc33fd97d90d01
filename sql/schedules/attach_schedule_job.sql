-- Links a claimed tick to the job that does its work.
UPDATE schedule_runs
SET job_id = :job_id
WHERE schedule_name = :name AND tick = :tick;
