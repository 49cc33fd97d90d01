-- Every phone seen in an earlier cleaning run with include_main_database.
SELECT custom_variable_1::bigint AS phone
FROM main_database;
