-- The time OS-version evidence was seen up to: a sync of an older window (a re-run, a
-- range filled in late) must not undo what a newer sighting decided.
-- depends: 0014.offer-searches 0015.broadcast-history-one-per-date

ALTER TABLE phone_lists ADD COLUMN evidence_until timestamptz;
