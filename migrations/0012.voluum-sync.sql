-- Voluum sync: the OS-version rules as data, each synced row tied to the job that wrote
-- it, each conversion's own Ongage outcome, the schedules' watermarks, and the counts a
-- finished sync answers with.
-- depends: 0010.files-list-index

-- First match by position wins. A rule matches when every condition it sets holds:
-- `os_name` equals the name part, `name_contains` is inside it, `full_equals` is the
-- whole string, `full_contains` is inside the whole string, and the major version lies
-- in [min_major, max_major]. The name part is what precedes the only space (the whole
-- string when there are none or several); a missing version reads as 9999. A malformed
-- string ("Android ", "Android 10a", none at all) matches no rule: it is unknown.
CREATE TABLE os_version_rules (
    position integer PRIMARY KEY,
    list_name text NOT NULL CHECK (list_name IN ('blacklist', 'monitor', 'whitelist')),
    os_name text,
    name_contains text,
    full_equals text,
    full_contains text,
    min_major integer,
    max_major integer,
    note text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(os_name, name_contains, full_equals, full_contains) > 0),
    CHECK (min_major IS NULL OR max_major IS NULL OR min_major <= max_major)
);

INSERT INTO os_version_rules
    (position, list_name, os_name, name_contains, full_equals, full_contains, min_major, max_major, note)
VALUES
    (10, 'blacklist', 'IOS', NULL, NULL, NULL, NULL, 10, 'iOS 10 and older'),
    (20, 'blacklist', 'Android', NULL, NULL, NULL, NULL, 7, 'Android 7 and older'),
    (30, 'blacklist', NULL, NULL, 'Windows 7', NULL, NULL, NULL, NULL),
    (40, 'blacklist', NULL, NULL, 'Windows XP', NULL, NULL, NULL, NULL),
    (50, 'blacklist', NULL, NULL, NULL, 'Ubuntu', NULL, NULL, 'anything with Ubuntu'),
    (60, 'monitor', 'Android', NULL, NULL, NULL, 8, 9, 'Android 8 and 9'),
    (70, 'monitor', 'Android', NULL, NULL, NULL, 17, NULL, 'Android 17 and newer, or without a version'),
    (80, 'monitor', NULL, NULL, 'Windows 10', NULL, NULL, NULL, NULL),
    (90, 'monitor', NULL, NULL, 'Windows 11', NULL, NULL, NULL, NULL),
    (100, 'monitor', 'Linux', NULL, NULL, NULL, NULL, NULL, NULL),
    (110, 'whitelist', 'IOS', NULL, NULL, NULL, 11, NULL, 'iOS 11 and newer, or without a version'),
    (120, 'whitelist', NULL, 'Mac', NULL, NULL, NULL, NULL, 'macOS'),
    (130, 'whitelist', 'Android', NULL, NULL, NULL, 10, 16, 'Android 10 to 16');

-- The traffic rows of one sync, found again by its job: the lists are decided from them
-- once the whole window is in, and a retried sync replaces them instead of adding more.
ALTER TABLE api_voluum_ts_sources
    ADD COLUMN job_id uuid,
    -- Why custom_variable_1 is no phone (it then holds the value as received).
    ADD COLUMN invalid_reason text,
    -- The main region of the phone's calling code (44 → GB), for whitelist entries.
    ADD COLUMN country_code text;
CREATE INDEX api_voluum_ts_sources_job_idx ON api_voluum_ts_sources (job_id)
    WHERE job_id IS NOT NULL;

-- Each conversion's own Ongage outcome; `processed` stays true exactly when pushed.
-- `push_claim` names the sync run that holds a `pushing` row: only that run records its
-- outcome, so a run whose claim was taken over cannot write over the new holder's.
ALTER TABLE api_voluum_conversions
    ADD COLUMN push_status text NOT NULL DEFAULT 'pending'
        CHECK (push_status IN ('pending', 'pushing', 'pushed', 'failed', 'skipped')),
    ADD COLUMN push_reason text,
    ADD COLUMN push_claimed_at timestamptz,
    ADD COLUMN push_claim uuid;
-- The rows already here when this runs are history: pushed when the old service marked
-- them processed, else `skipped` (legacy). The old service left many unprocessed for
-- good (valid non-GB conversions, invalid phones with empty or placeholder emails,
-- pushes it gave up on); as `pending` the first tick after deploy would push them all.
UPDATE api_voluum_conversions
SET push_status = CASE WHEN processed THEN 'pushed' ELSE 'skipped' END,
    push_reason = CASE WHEN processed THEN NULL ELSE 'legacy' END;
CREATE INDEX api_voluum_conversions_push_idx ON api_voluum_conversions (push_status)
    WHERE push_status IN ('pending', 'pushing', 'failed');

-- Offer and campaign name lookups that failed (an error, or an id Voluum does not
-- know), and when: a failing id is asked again after a pause, not on every tick.
CREATE TABLE voluum_name_failures (
    kind text NOT NULL CHECK (kind IN ('offer', 'campaign')),
    entity_id text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    failures integer NOT NULL DEFAULT 1,
    reason text,
    PRIMARY KEY (kind, entity_id)
);

-- Where each schedule's next window starts: the end of its last successful one.
CREATE TABLE voluum_sync_watermarks (
    name text PRIMARY KEY,
    synced_until timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- What a finished sync answers with (the old routes' counts), read by the route that
-- waited for it or later at /voluum/syncs/{job_id}.
CREATE TABLE voluum_sync_results (
    job_id uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    result jsonb NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
);
