-- +goose Up
-- A rollout over a large fleet is recorded as planning and planned off the
-- request path, a chunk of target apps per transaction. Its progress lives
-- here so that a planner resumes it after a crash: the last target app it
-- read (plan_cursor_uuid, plan_cursor_app), the last device it planned and
-- how many, how many of batch one it launched, the device filter it plans
-- with and the count it sizes batches by.
ALTER TABLE image_update_rollouts DROP CONSTRAINT image_update_rollouts_status_check,
    ADD CONSTRAINT image_update_rollouts_status_check CHECK (status IN ('planning', 'pending', 'in_progress', 'paused', 'waiting_for_window', 'completed', 'completed_with_failures', 'failed', 'rolled_back', 'cancelled', 'superseded'));
ALTER TABLE image_update_rollouts ADD COLUMN plan_filter TEXT NOT NULL DEFAULT '',
    ADD COLUMN plan_cursor_uuid TEXT NOT NULL DEFAULT '',
    ADD COLUMN plan_cursor_app TEXT NOT NULL DEFAULT '',
    ADD COLUMN plan_last_device TEXT NOT NULL DEFAULT '',
    ADD COLUMN planned_devices INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN plan_launched INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN estimated_devices INTEGER;
-- Each chunk reads a repository's target apps after the cursor, in
-- (device_uuid, app) order: an index in that order makes it a range read.
DROP INDEX idx_device_target_apps_repo;
CREATE INDEX idx_device_target_apps_repo ON device_target_apps (repository, device_uuid, app);

-- +goose Down
UPDATE image_update_rollouts SET status = 'cancelled', reason = 'planning stopped by a downgrade' WHERE status = 'planning';
ALTER TABLE image_update_rollouts DROP COLUMN plan_filter, DROP COLUMN plan_cursor_uuid, DROP COLUMN plan_cursor_app,
    DROP COLUMN plan_last_device, DROP COLUMN planned_devices, DROP COLUMN plan_launched, DROP COLUMN estimated_devices;
ALTER TABLE image_update_rollouts DROP CONSTRAINT image_update_rollouts_status_check,
    ADD CONSTRAINT image_update_rollouts_status_check CHECK (status IN ('pending', 'in_progress', 'paused', 'waiting_for_window', 'completed', 'completed_with_failures', 'failed', 'rolled_back', 'cancelled', 'superseded'));
DROP INDEX idx_device_target_apps_repo;
CREATE INDEX idx_device_target_apps_repo ON device_target_apps (repository);
