-- The whole of voluum_campaigns for a database export, as it is: every column, the table's own names.
SELECT * FROM voluum_campaigns;
