-- The whole of api_voluum_conversions for a database export, as it is: every column, the table's own names.
SELECT * FROM api_voluum_conversions;
