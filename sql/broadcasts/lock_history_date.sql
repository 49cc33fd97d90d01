-- Saves of one date take turns (until their transaction ends): each replaces the last.
SELECT pg_advisory_xact_lock(hashtextextended('broadcast_history:' || :data_date::date::text, 0));
