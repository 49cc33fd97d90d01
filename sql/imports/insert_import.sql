-- The facts of one manual import, beside its file.
INSERT INTO manual_update_imports (file_id, target, uploaded_count, accepted_count, rejected_count)
VALUES (:file_id, :target, :uploaded_count, :accepted_count, :rejected_count);
