-- Claims one tick of one schedule. The primary key lets exactly one container win;
-- the others get no row back.
INSERT INTO schedule_runs (schedule_name, tick, claimed_by)
VALUES (:name, :tick, :owner)
ON CONFLICT (schedule_name, tick) DO NOTHING
RETURNING schedule_name, tick;
