DROP TABLE api_mmd_broadcasts_files;
DROP TABLE offer_searches;
DROP TABLE db_exports;
DROP TABLE manual_update_imports;
DROP TABLE hlr_batches;
DROP TABLE csv_processing_stats;
DROP TABLE files;
