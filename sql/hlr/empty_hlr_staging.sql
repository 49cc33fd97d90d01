-- A second use in the same transaction must not see the first one's rows.
TRUNCATE hlr_phones, hlr_outcome_staging;
