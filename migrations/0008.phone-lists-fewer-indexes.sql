-- Bulk imports write a million numbers at a time, and every index is paid per row. The
-- two secondary indexes served reads that scan the whole table anyway (loading a list
-- for a cleaning job, the metrics' counts), so only the primary key stays.
-- depends: 0007.utf16-without-bom

DROP INDEX phone_lists_list_phone_idx;
DROP INDEX phone_lists_list_created_idx;
