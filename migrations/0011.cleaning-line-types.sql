-- Cleaning knows each number's line type: rows removed as non-mobile
-- (`exclude_non_mobile`) and the distinct valid numbers of each line type.
-- depends: 0010.files-list-index

ALTER TABLE csv_processing_stats
    ADD COLUMN removed_non_mobile integer NOT NULL DEFAULT 0,
    ADD COLUMN line_types jsonb NOT NULL DEFAULT '{}'::jsonb;
