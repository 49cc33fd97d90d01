-- The lists from one sync's traffic rows, in one statement.
-- One row per phone: a classified row before an unknown one, then the most unique
-- visits, then the most visits, then the last row Voluum sent. OS-version evidence only
-- moves numbers that OS-version evidence placed: a manual or HLR decision stays as it is;
-- and only with evidence as new as what placed them (:evidence_until, the end of the
-- sync's last window): re-syncing an older window does not undo a newer sighting.
-- Whitelist entries take the country of the phone's calling code.
WITH best AS (
    SELECT DISTINCT ON (custom_variable_1) *
    FROM api_voluum_ts_sources
    WHERE job_id = :job_id AND invalid_reason IS NULL
    ORDER BY custom_variable_1, (category = 'UNKNOWN'), unique_visits DESC NULLS LAST,
             visits DESC NULLS LAST, id DESC
),
written AS (
    INSERT INTO phone_lists AS p (
        custom_variable_1, list_name, decided_by, reason, source, country_code, ip,
        os_version, browser_version, click_2_reg, reg_2_ftd, clicks, conversions, cost,
        cost_sources, cpv, custom_conversions_1, custom_conversions_2, custom_conversions_3,
        custom_revenue_1, custom_revenue_2, custom_revenue_3, cv, epv, errors, profit,
        revenue, roi, suspicious_clicks, suspicious_clicks_percentage, suspicious_visits,
        suspicious_visits_percentage, unique_visits, visits, evidence_until
    )
    SELECT custom_variable_1, lower(category), 'os_version',
           CASE WHEN category <> 'WHITELIST' THEN 'OS_VERSION' END, 'VOLUUM',
           CASE WHEN category = 'WHITELIST' THEN country_code END, ip,
           os_version, browser_version, click_2_reg, reg_2_ftd, clicks, conversions, cost,
           cost_sources, cpv, custom_conversions_1, custom_conversions_2,
           custom_conversions_3, custom_revenue_1, custom_revenue_2, custom_revenue_3, cv,
           epv, errors, profit, revenue, roi, suspicious_clicks,
           suspicious_clicks_percentage, suspicious_visits, suspicious_visits_percentage,
           unique_visits, visits, :evidence_until::timestamptz
    FROM best
    WHERE category <> 'UNKNOWN'
    ORDER BY custom_variable_1
    ON CONFLICT (custom_variable_1) DO UPDATE SET
        list_name = EXCLUDED.list_name,
        reason = EXCLUDED.reason,
        country_code = EXCLUDED.country_code,
        ip = EXCLUDED.ip,
        os_version = EXCLUDED.os_version,
        browser_version = EXCLUDED.browser_version,
        click_2_reg = EXCLUDED.click_2_reg,
        reg_2_ftd = EXCLUDED.reg_2_ftd,
        clicks = EXCLUDED.clicks,
        conversions = EXCLUDED.conversions,
        cost = EXCLUDED.cost,
        cost_sources = EXCLUDED.cost_sources,
        cpv = EXCLUDED.cpv,
        custom_conversions_1 = EXCLUDED.custom_conversions_1,
        custom_conversions_2 = EXCLUDED.custom_conversions_2,
        custom_conversions_3 = EXCLUDED.custom_conversions_3,
        custom_revenue_1 = EXCLUDED.custom_revenue_1,
        custom_revenue_2 = EXCLUDED.custom_revenue_2,
        custom_revenue_3 = EXCLUDED.custom_revenue_3,
        cv = EXCLUDED.cv,
        epv = EXCLUDED.epv,
        errors = EXCLUDED.errors,
        profit = EXCLUDED.profit,
        revenue = EXCLUDED.revenue,
        roi = EXCLUDED.roi,
        suspicious_clicks = EXCLUDED.suspicious_clicks,
        suspicious_clicks_percentage = EXCLUDED.suspicious_clicks_percentage,
        suspicious_visits = EXCLUDED.suspicious_visits,
        suspicious_visits_percentage = EXCLUDED.suspicious_visits_percentage,
        unique_visits = EXCLUDED.unique_visits,
        visits = EXCLUDED.visits,
        evidence_until = EXCLUDED.evidence_until,
        timestamp_created = CASE
            WHEN p.list_name <> EXCLUDED.list_name THEN now() ELSE p.timestamp_created
        END,
        updated_at = now()
    WHERE p.decided_by = 'os_version'
      AND (p.evidence_until IS NULL OR p.evidence_until <= EXCLUDED.evidence_until)
    RETURNING p.list_name
)
SELECT list_name, count(*) AS rows
FROM written
GROUP BY list_name;
