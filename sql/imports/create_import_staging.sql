-- Staging for one import: COPY fills it, one upsert empties it.
CREATE TEMPORARY TABLE IF NOT EXISTS import_staging (
    phone text NOT NULL,
    reason text,
    source text,
    os_version text,
    browser_version text,
    ip text
) ON COMMIT DROP;
