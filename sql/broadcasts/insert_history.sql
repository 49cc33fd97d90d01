-- The date and broadcast count of a history file.
INSERT INTO api_mmd_broadcasts_files (file_id, data_date, number_of_broadcasts)
VALUES (:file_id, :data_date::date, :number_of_broadcasts);
