-- /get-metrics: six tables, each as [total, added in the last 24 hours, in the last 7 days].
-- One round trip; each count is a single scan of its table.
SELECT
    (SELECT ARRAY[count(*),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '24 hours'),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '7 days')]
     FROM blacklist) AS blacklist,
    (SELECT ARRAY[count(*),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '24 hours'),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '7 days')]
     FROM whitelist) AS whitelist,
    (SELECT ARRAY[count(*),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '24 hours'),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '7 days')]
     FROM monitor) AS monitor,
    (SELECT ARRAY[count(*),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '24 hours'),
                  count(*) FILTER (WHERE timestamp_created >= now() - interval '7 days')]
     FROM main_database) AS main_database,
    (SELECT ARRAY[count(*),
                  count(*) FILTER (WHERE processed_at >= now() - interval '24 hours'),
                  count(*) FILTER (WHERE processed_at >= now() - interval '7 days')]
     FROM api_voluum_conversions) AS api_voluum_conversions,
    (SELECT ARRAY[count(*),
                  count(*) FILTER (WHERE "timestamp" >= now() - interval '24 hours'),
                  count(*) FILTER (WHERE "timestamp" >= now() - interval '7 days')]
     FROM api_hlr_live_numbers) AS api_hlr_live_numbers;
