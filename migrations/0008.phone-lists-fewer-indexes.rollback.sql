CREATE INDEX phone_lists_list_phone_idx ON phone_lists (list_name, custom_variable_1);
CREATE INDEX phone_lists_list_created_idx ON phone_lists (list_name, timestamp_created);
