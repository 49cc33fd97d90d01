SELECT synced_until FROM voluum_sync_watermarks WHERE name = :name;
