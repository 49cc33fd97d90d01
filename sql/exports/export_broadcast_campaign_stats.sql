-- The whole of broadcast_campaign_stats for a database export, as it is: every column, the table's own names.
SELECT * FROM broadcast_campaign_stats;
