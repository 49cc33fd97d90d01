-- A watermark only moves forward (an older run finishing late cannot pull it back).
INSERT INTO voluum_sync_watermarks AS w (name, synced_until)
VALUES (:name, :synced_until)
ON CONFLICT (name) DO UPDATE SET synced_until = EXCLUDED.synced_until, updated_at = now()
WHERE w.synced_until < EXCLUDED.synced_until;
