-- The counts of a cleaning file's last run.
SELECT s.file_id, s.total_records, s.removed_blacklist, s.removed_monitor,
       s.removed_conversion, s.removed_maindatabase, s.removed_duplicates,
       s.removed_invalid, s.removed_non_mobile, s.final_clean_count, s.line_types,
       s.created_at
FROM csv_processing_stats s
JOIN files f ON f.id = s.file_id AND f.kind = 'cleaning'
WHERE s.file_id = :file_id;
