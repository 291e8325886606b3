-- +goose Up
-- A superseded rollout too large to settle in the request that superseded
-- it is left to the planner: unsettled marks it until its last pending or
-- in-flight device is settled. A flag on the rollout, not an index on the
-- devices' status, so that no device's status change pays for it.
ALTER TABLE image_update_rollouts ADD COLUMN unsettled BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX idx_rollouts_unsettled ON image_update_rollouts (id) WHERE unsettled;

-- +goose Down
DROP INDEX idx_rollouts_unsettled;
ALTER TABLE image_update_rollouts DROP COLUMN unsettled;
