-- The whole of api_hlr_live_numbers for a database export, as it is: every column, the table's own names.
SELECT * FROM api_hlr_live_numbers;
