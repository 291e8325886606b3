-- +goose Up
-- Indexes for the fleet-sized lists (issue 20): each sort of the devices
-- list and its keyset cursor, the online filter, rollouts by status, and
-- rollout devices in page order (the batch index, widened; status stays
-- out of it, see 00002). SQLite cannot index a label filter on any key.
CREATE INDEX idx_devices_created ON devices (created_at, uuid);
CREATE INDEX idx_devices_name ON devices (name, uuid);
CREATE INDEX idx_devices_last_seen ON devices (last_seen_at);
CREATE INDEX idx_rollouts_status_id ON image_update_rollouts (status, id);
DROP INDEX idx_rollout_devices_batch;
CREATE INDEX idx_rollout_devices_batch ON rollout_devices (rollout_id, batch, device_uuid, app);

-- +goose Down
DROP INDEX idx_rollout_devices_batch;
CREATE INDEX idx_rollout_devices_batch ON rollout_devices (rollout_id, batch);
DROP INDEX idx_rollouts_status_id;
DROP INDEX idx_devices_last_seen;
DROP INDEX idx_devices_name;
DROP INDEX idx_devices_created;
