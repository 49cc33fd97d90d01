-- The whole of main_database for a database export, as it is: every column, the table's own names.
SELECT * FROM main_database;
