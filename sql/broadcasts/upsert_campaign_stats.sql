-- A day's broadcasts with their Voluum figures, one row per broadcast (the latest wins).
INSERT INTO broadcast_campaign_stats AS s (
    broadcast_id, campaign_id, name, send_date, estimated_price, recipient_count,
    bc_unique_clicks, bc_total_clicks, ctr, dlr_delivered_count, dlr_sent_count,
    dlr_undelivered_count, dlr_rejected_count, voluum_visits, voluum_unique_visits,
    click_2_reg, reg_2_ftd, message_body, updated_at
)
SELECT broadcast_id, campaign_id, name, send_date, estimated_price, recipient_count,
       bc_unique_clicks, bc_total_clicks, ctr, dlr_delivered_count, dlr_sent_count,
       dlr_undelivered_count, dlr_rejected_count, voluum_visits, voluum_unique_visits,
       click_2_reg, reg_2_ftd, message_body, now()
FROM unnest(
    :broadcast_ids::bigint[], :campaign_ids::text[], :names::text[],
    :send_dates::timestamptz[], :estimated_prices::numeric[], :recipient_counts::integer[],
    :unique_clicks::integer[], :total_clicks::integer[], :ctrs::numeric[],
    :delivered::integer[], :sent::integer[], :undelivered::integer[], :rejected::integer[],
    :visits::integer[], :unique_visits::integer[], :click_2_regs::numeric[],
    :reg_2_ftds::numeric[], :message_bodies::text[]
) AS t (
    broadcast_id, campaign_id, name, send_date, estimated_price, recipient_count,
    bc_unique_clicks, bc_total_clicks, ctr, dlr_delivered_count, dlr_sent_count,
    dlr_undelivered_count, dlr_rejected_count, voluum_visits, voluum_unique_visits,
    click_2_reg, reg_2_ftd, message_body
)
ON CONFLICT (broadcast_id) DO UPDATE SET
    campaign_id = EXCLUDED.campaign_id,
    name = EXCLUDED.name,
    send_date = EXCLUDED.send_date,
    estimated_price = EXCLUDED.estimated_price,
    recipient_count = EXCLUDED.recipient_count,
    bc_unique_clicks = EXCLUDED.bc_unique_clicks,
    bc_total_clicks = EXCLUDED.bc_total_clicks,
    ctr = EXCLUDED.ctr,
    dlr_delivered_count = EXCLUDED.dlr_delivered_count,
    dlr_sent_count = EXCLUDED.dlr_sent_count,
    dlr_undelivered_count = EXCLUDED.dlr_undelivered_count,
    dlr_rejected_count = EXCLUDED.dlr_rejected_count,
    voluum_visits = EXCLUDED.voluum_visits,
    voluum_unique_visits = EXCLUDED.voluum_unique_visits,
    click_2_reg = EXCLUDED.click_2_reg,
    reg_2_ftd = EXCLUDED.reg_2_ftd,
    message_body = EXCLUDED.message_body,
    updated_at = now();
