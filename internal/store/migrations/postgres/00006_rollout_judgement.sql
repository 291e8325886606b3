-- +goose Up
-- Rollout judgement (issue 15): the policy knobs of internal/rollout's
-- State, copied into each rollout (maintenance windows are read live from
-- the policy; the copy serves a rollout whose policy is gone), each
-- device's tracking and evidence, the batches' times, and the content of
-- rolled-back rollouts held as known-bad. Columns are only added.
ALTER TABLE image_update_policies ADD COLUMN health_grace_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_policies ADD COLUMN bake_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_policies ADD COLUMN max_retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_policies ADD COLUMN retry_backoff_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_policies ADD COLUMN defer_timeout_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_policies ADD COLUMN maintenance_windows TEXT NOT NULL DEFAULT '[]';
ALTER TABLE image_update_policies ADD COLUMN max_devices_per_minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_policies ADD COLUMN ramp TEXT NOT NULL DEFAULT '{}';
ALTER TABLE image_update_policies ADD COLUMN include_new_devices BOOLEAN NOT NULL DEFAULT TRUE;

ALTER TABLE image_update_rollouts ADD COLUMN health_grace_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_rollouts ADD COLUMN bake_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_rollouts ADD COLUMN max_retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_rollouts ADD COLUMN retry_backoff_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_rollouts ADD COLUMN defer_timeout_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_rollouts ADD COLUMN maintenance_windows TEXT NOT NULL DEFAULT '[]';
ALTER TABLE image_update_rollouts ADD COLUMN max_devices_per_minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE image_update_rollouts ADD COLUMN ramp TEXT NOT NULL DEFAULT '{}';
ALTER TABLE image_update_rollouts ADD COLUMN include_new_devices BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE image_update_rollouts ADD COLUMN start_at TIMESTAMPTZ;
ALTER TABLE image_update_rollouts ADD COLUMN end_at TIMESTAMPTZ;
ALTER TABLE image_update_rollouts ADD COLUMN next_window_at TIMESTAMPTZ;

ALTER TABLE rollout_devices ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
ALTER TABLE rollout_devices ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE rollout_devices ADD COLUMN exit_code INTEGER;
ALTER TABLE rollout_devices ADD COLUMN restart_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollout_devices ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollout_devices ADD COLUMN started_at TIMESTAMPTZ;
ALTER TABLE rollout_devices ADD COLUMN clock_from TIMESTAMPTZ;
ALTER TABLE rollout_devices ADD COLUMN reported_at TIMESTAMPTZ;
ALTER TABLE rollout_devices ADD COLUMN running_since TIMESTAMPTZ;
ALTER TABLE rollout_devices ADD COLUMN first_healthy_at TIMESTAMPTZ;
ALTER TABLE rollout_devices ADD COLUMN deferred_at TIMESTAMPTZ;
ALTER TABLE rollout_devices ADD COLUMN judged_at TIMESTAMPTZ;

CREATE TABLE rollout_batches (
    rollout_id   BIGINT NOT NULL REFERENCES image_update_rollouts (id) ON DELETE CASCADE,
    batch        INTEGER NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    PRIMARY KEY (rollout_id, batch)
);

CREATE TABLE known_bad (
    id         BIGSERIAL PRIMARY KEY,
    content    TEXT NOT NULL UNIQUE,
    image      TEXT NOT NULL,
    rollout_id BIGINT REFERENCES image_update_rollouts (id) ON DELETE SET NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE known_bad;
DROP TABLE rollout_batches;
ALTER TABLE rollout_devices DROP COLUMN judged_at;
ALTER TABLE rollout_devices DROP COLUMN deferred_at;
ALTER TABLE rollout_devices DROP COLUMN first_healthy_at;
ALTER TABLE rollout_devices DROP COLUMN running_since;
ALTER TABLE rollout_devices DROP COLUMN reported_at;
ALTER TABLE rollout_devices DROP COLUMN clock_from;
ALTER TABLE rollout_devices DROP COLUMN started_at;
ALTER TABLE rollout_devices DROP COLUMN attempts;
ALTER TABLE rollout_devices DROP COLUMN restart_count;
ALTER TABLE rollout_devices DROP COLUMN exit_code;
ALTER TABLE rollout_devices DROP COLUMN message;
ALTER TABLE rollout_devices DROP COLUMN verdict;
ALTER TABLE image_update_rollouts DROP COLUMN next_window_at;
ALTER TABLE image_update_rollouts DROP COLUMN end_at;
ALTER TABLE image_update_rollouts DROP COLUMN start_at;
ALTER TABLE image_update_rollouts DROP COLUMN include_new_devices;
ALTER TABLE image_update_rollouts DROP COLUMN ramp;
ALTER TABLE image_update_rollouts DROP COLUMN max_devices_per_minute;
ALTER TABLE image_update_rollouts DROP COLUMN maintenance_windows;
ALTER TABLE image_update_rollouts DROP COLUMN defer_timeout_seconds;
ALTER TABLE image_update_rollouts DROP COLUMN retry_backoff_seconds;
ALTER TABLE image_update_rollouts DROP COLUMN max_retries;
ALTER TABLE image_update_rollouts DROP COLUMN bake_seconds;
ALTER TABLE image_update_rollouts DROP COLUMN health_grace_seconds;
ALTER TABLE image_update_policies DROP COLUMN include_new_devices;
ALTER TABLE image_update_policies DROP COLUMN ramp;
ALTER TABLE image_update_policies DROP COLUMN max_devices_per_minute;
ALTER TABLE image_update_policies DROP COLUMN maintenance_windows;
ALTER TABLE image_update_policies DROP COLUMN defer_timeout_seconds;
ALTER TABLE image_update_policies DROP COLUMN retry_backoff_seconds;
ALTER TABLE image_update_policies DROP COLUMN max_retries;
ALTER TABLE image_update_policies DROP COLUMN bake_seconds;
ALTER TABLE image_update_policies DROP COLUMN health_grace_seconds;
