-- +goose Up
-- The monitor rewrites the status of every judged device, a whole fleet in
-- one tick; with status in this index each of those writes moved an index
-- entry too, about doubling the cost. Batches are looked up by (rollout, batch).
DROP INDEX idx_rollout_devices_batch;
CREATE INDEX idx_rollout_devices_batch ON rollout_devices (rollout_id, batch);

-- +goose Down
DROP INDEX idx_rollout_devices_batch;
CREATE INDEX idx_rollout_devices_batch ON rollout_devices (rollout_id, batch, status);
