-- The whole of voluum_live_events for a database export, as it is: every column, the table's own names.
SELECT * FROM voluum_live_events;
