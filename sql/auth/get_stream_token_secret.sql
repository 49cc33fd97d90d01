-- The shared signing secret of stream tokens.
SELECT secret
FROM stream_token_secret
WHERE id = 1;
