-- Every job but the archived, newest upload first, with its progress counted from its records.
SELECT j.id, j.original_filename, j.status, j.total_records, j.uploaded_at,
       j.interval_seconds, j.lower_limit, j.upper_limit, j.next_run_at, j.last_error,
       j.started_at, j.completed_at,
       coalesce(c.sent, 0) AS sent,
       coalesce(c.failed, 0) AS failed,
       coalesce(c.invalid, 0) AS invalid,
       coalesce(c.remaining, 0) AS remaining
FROM csv_jobs AS j
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE r.send_status = 'sent') AS sent,
           count(*) FILTER (WHERE r.send_status = 'failed') AS failed,
           count(*) FILTER (WHERE r.send_status = 'invalid') AS invalid,
           count(*) FILTER (WHERE r.send_status = 'pending') AS remaining
    FROM csv_active_records AS r
    WHERE r.file_id = j.id
) AS c ON true
WHERE j.status <> 'archived'
ORDER BY j.uploaded_at DESC, j.id;
