-- The newest files of one kind with their searches, at most :limit; an empty status
-- list means every status. Ordered along files_kind_uploaded_id_idx, as list_files.
SELECT f.id, f.original_filename, f.status, f.uploaded_at, f.processing_started_at, f.processed_at, f.error_message, f.record_count_total, f.record_count_clean, f.job_id,
       s.country_code, s.from_date, s.to_date, s.offers, s.selected_offers, s.outcomes
FROM files f
JOIN offer_searches s ON s.file_id = f.id
WHERE f.kind = :kind
  AND (cardinality(:statuses::text[]) = 0 OR f.status = ANY(:statuses::text[]))
ORDER BY f.uploaded_at DESC, f.id DESC
LIMIT :limit;
