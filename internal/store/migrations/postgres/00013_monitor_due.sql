-- +goose Up
-- The monitor skips a rollout that nothing can have changed (issue 20):
-- when it next needs a step without a new report, the time of the step
-- that judged it (reports of its devices since then wake it), and a key of
-- the rollout state that step judged (an admin's change wakes it). The
-- index finds the reports made since a time without reading the fleet.
ALTER TABLE image_update_rollouts ADD COLUMN monitor_due_at TIMESTAMPTZ;
ALTER TABLE image_update_rollouts ADD COLUMN monitor_judged_at TIMESTAMPTZ;
ALTER TABLE image_update_rollouts ADD COLUMN monitor_key TEXT NOT NULL DEFAULT '';
CREATE INDEX idx_device_current_state_reported ON device_current_state (reported_at);

-- +goose Down
DROP INDEX idx_device_current_state_reported;
ALTER TABLE image_update_rollouts DROP COLUMN monitor_key;
ALTER TABLE image_update_rollouts DROP COLUMN monitor_judged_at;
ALTER TABLE image_update_rollouts DROP COLUMN monitor_due_at;
