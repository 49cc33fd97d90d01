-- The counts of one cleaning run (a re-run replaces them).
INSERT INTO csv_processing_stats (
    file_id, total_records, removed_blacklist, removed_monitor, removed_conversion,
    removed_maindatabase, removed_duplicates, removed_invalid, removed_non_mobile,
    final_clean_count, line_types, created_at
)
VALUES (
    :file_id, :total_records, :removed_blacklist, :removed_monitor, :removed_conversion,
    :removed_maindatabase, :removed_duplicates, :removed_invalid, :removed_non_mobile,
    :final_clean_count, :line_types, now()
)
ON CONFLICT (file_id) DO UPDATE SET
    total_records = EXCLUDED.total_records,
    removed_blacklist = EXCLUDED.removed_blacklist,
    removed_monitor = EXCLUDED.removed_monitor,
    removed_conversion = EXCLUDED.removed_conversion,
    removed_maindatabase = EXCLUDED.removed_maindatabase,
    removed_duplicates = EXCLUDED.removed_duplicates,
    removed_invalid = EXCLUDED.removed_invalid,
    removed_non_mobile = EXCLUDED.removed_non_mobile,
    final_clean_count = EXCLUDED.final_clean_count,
    line_types = EXCLUDED.line_types,
    created_at = now();
