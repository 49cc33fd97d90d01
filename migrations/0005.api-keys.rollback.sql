DROP TABLE stream_token_secret;
DROP TABLE api_keys;
