ALTER TABLE phone_lists DROP COLUMN evidence_until;
