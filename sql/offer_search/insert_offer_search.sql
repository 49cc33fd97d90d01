-- What a file of smart cleaning or REG search was made for.
INSERT INTO offer_searches (file_id, country_code, from_date, to_date, offers)
VALUES (:file_id, :country_code, :from_date, :to_date, :offers::text[]);
