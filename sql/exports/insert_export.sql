-- Which table an export file holds.
INSERT INTO db_exports (file_id, table_name) VALUES (:file_id, :table_name);
