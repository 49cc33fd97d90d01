-- One file of one kind with its search.
SELECT f.id, f.original_filename, f.status, f.uploaded_at, f.processing_started_at, f.processed_at, f.error_message, f.record_count_total, f.record_count_clean, f.job_id,
       s.country_code, s.from_date, s.to_date, s.offers, s.selected_offers, s.outcomes
FROM files f
JOIN offer_searches s ON s.file_id = f.id
WHERE f.id = :id AND f.kind = :kind;
