-- Each day's SMS cost pushed to each Voluum campaign: a run claims a (day, campaign)
-- before its call and records the outcome after, so a retried job, a restart or a second
-- container never pushes the same cost twice; a changed cost is pushed again.
-- depends: 0017.os-version-evidence-time

CREATE TABLE voluum_cost_pushes (
    day date NOT NULL,
    campaign_id text NOT NULL,
    cost numeric(14, 2) NOT NULL,
    currency text NOT NULL,
    status text NOT NULL CHECK (status IN ('pushing', 'updated', 'no_visits', 'failed')),
    claim uuid,
    response integer,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (day, campaign_id)
);
