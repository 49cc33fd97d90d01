-- The rules are replaced as a whole (in the transaction that inserts the new ones).
DELETE FROM os_version_rules;
