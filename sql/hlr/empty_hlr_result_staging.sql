-- A second write in the same transaction must not see the first one's rows.
TRUNCATE hlr_result_staging;
