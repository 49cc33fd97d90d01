DROP TABLE live_event_failures;
DROP TABLE raw_live_voluum_sns_data;
DROP TABLE voluum_live_events;
DROP TABLE voluum_campaigns;
DROP TABLE voluum_offers;
DROP TABLE api_voluum_conversions;
