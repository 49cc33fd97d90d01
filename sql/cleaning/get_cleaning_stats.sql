-- The counts of a cleaning file's last run.
SELECT s.file_id, s.total_records, s.removed_blacklist, s.removed_monitor,
       s.removed_conversion, s.removed_maindatabase, s.removed_duplicates,
       s.removed_invalid, s.final_clean_count, s.created_at
FROM csv_processing_stats s
JOIN files f ON f.id = s.file_id AND f.kind = 'cleaning'
WHERE s.file_id = :file_id;
