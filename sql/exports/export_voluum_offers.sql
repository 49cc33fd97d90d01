-- The whole of voluum_offers for a database export, as it is: every column, the table's own names.
SELECT * FROM voluum_offers;
