-- The whole of blacklist for a database export, as it is: every column, the table's own names.
SELECT * FROM blacklist;
