-- The new rules, one array per column, in one statement.
INSERT INTO os_version_rules (
    position, list_name, os_name, name_contains, full_equals, full_contains,
    min_major, max_major, note
)
SELECT *
FROM unnest(
    :positions::integer[], :list_names::text[], :os_names::text[], :name_contains::text[],
    :full_equals::text[], :full_contains::text[], :min_majors::integer[],
    :max_majors::integer[], :notes::text[]
);
