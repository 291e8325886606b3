-- +goose NO TRANSACTION
-- +goose Up
-- The statuses maintenance windows, bake times, update locks and partial
-- success brought (internal/rollout's Statuses and DeviceStatuses). SQLite
-- cannot change a CHECK in place, so both tables are rebuilt, the way its
-- documentation describes: with foreign keys off (a single connection
-- writes, so the pragma holds for the whole migration), in one transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE image_update_rollouts_new (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_id                    BIGINT REFERENCES image_update_policies (id) ON DELETE SET NULL,
    registry                     TEXT NOT NULL,
    namespace                    TEXT NOT NULL DEFAULT '',
    image_name                   TEXT NOT NULL,
    tag                          TEXT NOT NULL,
    digest                       TEXT NOT NULL DEFAULT '',
    update_strategy              TEXT NOT NULL,
    batch_size                   INTEGER NOT NULL DEFAULT 0,
    batch_percent                INTEGER NOT NULL DEFAULT 0,
    batch_delay_seconds          INTEGER NOT NULL DEFAULT 0,
    canary_size                  INTEGER NOT NULL DEFAULT 0,
    health_check_timeout_seconds INTEGER NOT NULL DEFAULT 300,
    failure_threshold_percent    INTEGER NOT NULL DEFAULT 20,
    min_devices_for_threshold    INTEGER NOT NULL DEFAULT 1,
    auto_rollback                BOOLEAN NOT NULL DEFAULT TRUE,
    status                       TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'paused', 'waiting_for_window', 'completed', 'completed_with_failures', 'failed', 'rolled_back', 'cancelled', 'superseded')),
    current_batch                INTEGER NOT NULL DEFAULT 0,
    total_batches                INTEGER NOT NULL DEFAULT 0,
    total_devices                INTEGER NOT NULL DEFAULT 0,
    trigger                      TEXT NOT NULL DEFAULT '',
    reason                       TEXT NOT NULL DEFAULT '',
    created_at                   TIMESTAMP NOT NULL,
    started_at                   TIMESTAMP,
    batch_started_at             TIMESTAMP,
    batch_done_at                TIMESTAMP,
    completed_at                 TIMESTAMP,
    UNIQUE (registry, namespace, image_name, tag, digest)
);
INSERT INTO image_update_rollouts_new SELECT * FROM image_update_rollouts;
DROP TABLE image_update_rollouts;
ALTER TABLE image_update_rollouts_new RENAME TO image_update_rollouts;
CREATE INDEX idx_rollouts_status ON image_update_rollouts (status);
CREATE INDEX idx_rollouts_repo ON image_update_rollouts (registry, namespace, image_name);
CREATE TABLE rollout_devices_new (
    rollout_id     BIGINT NOT NULL REFERENCES image_update_rollouts (id) ON DELETE CASCADE,
    device_uuid    TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,
    app            TEXT NOT NULL,
    batch          INTEGER NOT NULL,
    previous_image TEXT NOT NULL DEFAULT '',
    target_image   TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'updating', 'baking', 'deferred', 'succeeded', 'failed', 'timed_out', 'rolled_back', 'skipped', 'cancelled')),
    error          TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (rollout_id, device_uuid, app)
);
INSERT INTO rollout_devices_new SELECT * FROM rollout_devices;
DROP TABLE rollout_devices;
ALTER TABLE rollout_devices_new RENAME TO rollout_devices;
CREATE INDEX idx_rollout_devices_device ON rollout_devices (device_uuid);
CREATE INDEX idx_rollout_devices_batch ON rollout_devices (rollout_id, batch);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE image_update_rollouts_new (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_id                    BIGINT REFERENCES image_update_policies (id) ON DELETE SET NULL,
    registry                     TEXT NOT NULL,
    namespace                    TEXT NOT NULL DEFAULT '',
    image_name                   TEXT NOT NULL,
    tag                          TEXT NOT NULL,
    digest                       TEXT NOT NULL DEFAULT '',
    update_strategy              TEXT NOT NULL,
    batch_size                   INTEGER NOT NULL DEFAULT 0,
    batch_percent                INTEGER NOT NULL DEFAULT 0,
    batch_delay_seconds          INTEGER NOT NULL DEFAULT 0,
    canary_size                  INTEGER NOT NULL DEFAULT 0,
    health_check_timeout_seconds INTEGER NOT NULL DEFAULT 300,
    failure_threshold_percent    INTEGER NOT NULL DEFAULT 20,
    min_devices_for_threshold    INTEGER NOT NULL DEFAULT 1,
    auto_rollback                BOOLEAN NOT NULL DEFAULT TRUE,
    status                       TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'paused', 'completed', 'failed', 'rolled_back', 'cancelled', 'superseded')),
    current_batch                INTEGER NOT NULL DEFAULT 0,
    total_batches                INTEGER NOT NULL DEFAULT 0,
    total_devices                INTEGER NOT NULL DEFAULT 0,
    trigger                      TEXT NOT NULL DEFAULT '',
    reason                       TEXT NOT NULL DEFAULT '',
    created_at                   TIMESTAMP NOT NULL,
    started_at                   TIMESTAMP,
    batch_started_at             TIMESTAMP,
    batch_done_at                TIMESTAMP,
    completed_at                 TIMESTAMP,
    UNIQUE (registry, namespace, image_name, tag, digest)
);
INSERT INTO image_update_rollouts_new SELECT * FROM image_update_rollouts;
DROP TABLE image_update_rollouts;
ALTER TABLE image_update_rollouts_new RENAME TO image_update_rollouts;
CREATE INDEX idx_rollouts_status ON image_update_rollouts (status);
CREATE INDEX idx_rollouts_repo ON image_update_rollouts (registry, namespace, image_name);
CREATE TABLE rollout_devices_new (
    rollout_id     BIGINT NOT NULL REFERENCES image_update_rollouts (id) ON DELETE CASCADE,
    device_uuid    TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,
    app            TEXT NOT NULL,
    batch          INTEGER NOT NULL,
    previous_image TEXT NOT NULL DEFAULT '',
    target_image   TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'updating', 'succeeded', 'failed', 'timed_out', 'rolled_back', 'skipped')),
    error          TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (rollout_id, device_uuid, app)
);
INSERT INTO rollout_devices_new SELECT * FROM rollout_devices;
DROP TABLE rollout_devices;
ALTER TABLE rollout_devices_new RENAME TO rollout_devices;
CREATE INDEX idx_rollout_devices_device ON rollout_devices (device_uuid);
CREATE INDEX idx_rollout_devices_batch ON rollout_devices (rollout_id, batch);
COMMIT;
PRAGMA foreign_keys = ON;
