-- Writers of main_database take turns (readers do not wait): the staged phones found
-- missing are still missing when they are inserted, so the insert needs no ON CONFLICT.
-- SHARE ROW EXCLUSIVE conflicts with itself and with every INSERT, UPDATE and DELETE.
LOCK TABLE main_database IN SHARE ROW EXCLUSIVE MODE;
