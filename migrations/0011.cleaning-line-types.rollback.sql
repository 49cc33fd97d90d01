ALTER TABLE csv_processing_stats DROP COLUMN line_types, DROP COLUMN removed_non_mobile;
