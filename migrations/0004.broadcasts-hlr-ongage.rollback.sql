DROP TABLE csv_active_records;
DROP TABLE csv_jobs;
DROP TABLE api_hlr_live_numbers;
DROP TABLE broadcast_campaign_stats;
