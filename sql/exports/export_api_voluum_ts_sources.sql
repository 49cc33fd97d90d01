-- The whole of api_voluum_ts_sources for a database export, as it is: every column, the table's own names.
SELECT * FROM api_voluum_ts_sources;
