-- The OS-version rules in the order they are tried.
SELECT position, list_name, os_name, name_contains, full_equals, full_contains,
       min_major, max_major, note
FROM os_version_rules
ORDER BY position;
