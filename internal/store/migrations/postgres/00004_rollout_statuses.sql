-- +goose Up
-- The statuses maintenance windows, bake times, update locks and
-- partial success brought (internal/rollout's Statuses and DeviceStatuses).
ALTER TABLE image_update_rollouts DROP CONSTRAINT image_update_rollouts_status_check,
    ADD CONSTRAINT image_update_rollouts_status_check CHECK (status IN ('pending', 'in_progress', 'paused', 'waiting_for_window', 'completed', 'completed_with_failures', 'failed', 'rolled_back', 'cancelled', 'superseded'));
ALTER TABLE rollout_devices DROP CONSTRAINT rollout_devices_status_check,
    ADD CONSTRAINT rollout_devices_status_check CHECK (status IN ('pending', 'updating', 'baking', 'deferred', 'succeeded', 'failed', 'timed_out', 'rolled_back', 'skipped', 'cancelled'));

-- +goose Down
ALTER TABLE image_update_rollouts DROP CONSTRAINT image_update_rollouts_status_check,
    ADD CONSTRAINT image_update_rollouts_status_check CHECK (status IN ('pending', 'in_progress', 'paused', 'completed', 'failed', 'rolled_back', 'cancelled', 'superseded'));
ALTER TABLE rollout_devices DROP CONSTRAINT rollout_devices_status_check,
    ADD CONSTRAINT rollout_devices_status_check CHECK (status IN ('pending', 'updating', 'succeeded', 'failed', 'timed_out', 'rolled_back', 'skipped'));
