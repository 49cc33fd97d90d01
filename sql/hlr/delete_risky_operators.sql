-- Empties the list (its replacement follows in the same transaction).
DELETE FROM hlr_risky_operators;
