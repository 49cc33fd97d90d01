DROP TABLE api_voluum_ts_sources;
DROP TABLE main_database;
DROP VIEW whitelist;
DROP VIEW monitor;
DROP VIEW blacklist;
DROP TABLE phone_lists;
