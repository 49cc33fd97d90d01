-- The shared signing secret, created by whichever container asks first.
INSERT INTO stream_token_secret (id, secret)
VALUES (1, :candidate)
ON CONFLICT (id) DO NOTHING;
