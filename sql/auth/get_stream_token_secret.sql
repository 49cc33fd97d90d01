-- The shared signing secret: created by the first container that asks, read by the rest.
WITH created AS (
    INSERT INTO stream_token_secret (id, secret)
    VALUES (1, :candidate)
    ON CONFLICT (id) DO NOTHING
    RETURNING secret
)
SELECT secret FROM created
UNION ALL
SELECT secret FROM stream_token_secret WHERE id = 1
LIMIT 1;
