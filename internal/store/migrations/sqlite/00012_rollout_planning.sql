-- +goose NO TRANSACTION
-- +goose Up
-- A rollout over a large fleet is recorded as planning and planned off the
-- request path, a chunk of target apps per transaction. Its progress lives
-- here so that a planner resumes it after a crash: the last target app it
-- read (plan_cursor_uuid, plan_cursor_app), the last device it planned and
-- how many, how many of batch one it launched, the device filter it plans
-- with and the count it sizes batches by. SQLite cannot widen a CHECK, so
-- the table is rebuilt as 00009 did.
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
    status                       TEXT NOT NULL CHECK (status IN ('planning', 'pending', 'in_progress', 'paused', 'waiting_for_window', 'completed', 'completed_with_failures', 'failed', 'rolled_back', 'cancelled', 'superseded')),
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
    release_id BIGINT,
    health_grace_seconds INTEGER NOT NULL DEFAULT 0,
    bake_seconds INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL DEFAULT 0,
    retry_backoff_seconds INTEGER NOT NULL DEFAULT 0,
    defer_timeout_seconds INTEGER NOT NULL DEFAULT 0,
    maintenance_windows TEXT NOT NULL DEFAULT '[]',
    max_devices_per_minute INTEGER NOT NULL DEFAULT 0,
    ramp TEXT NOT NULL DEFAULT '{}',
    include_new_devices BOOLEAN NOT NULL DEFAULT TRUE,
    start_at TIMESTAMP,
    end_at TIMESTAMP,
    next_window_at TIMESTAMP,
    device_image TEXT NOT NULL DEFAULT '',
    plan_filter TEXT NOT NULL DEFAULT '',
    plan_cursor_uuid TEXT NOT NULL DEFAULT '',
    plan_cursor_app TEXT NOT NULL DEFAULT '',
    plan_last_device TEXT NOT NULL DEFAULT '',
    planned_devices INTEGER NOT NULL DEFAULT 0,
    plan_launched INTEGER NOT NULL DEFAULT 0,
    estimated_devices INTEGER
);
INSERT INTO image_update_rollouts_new (id, policy_id, registry, namespace, image_name, tag, digest, update_strategy, batch_size, batch_percent, batch_delay_seconds, canary_size, health_check_timeout_seconds, failure_threshold_percent, min_devices_for_threshold, auto_rollback, status, current_batch, total_batches, total_devices, trigger, reason, created_at, started_at, batch_started_at, batch_done_at, completed_at, release_id, health_grace_seconds, bake_seconds, max_retries, retry_backoff_seconds, defer_timeout_seconds, maintenance_windows, max_devices_per_minute, ramp, include_new_devices, start_at, end_at, next_window_at, device_image) SELECT id, policy_id, registry, namespace, image_name, tag, digest, update_strategy, batch_size, batch_percent, batch_delay_seconds, canary_size, health_check_timeout_seconds, failure_threshold_percent, min_devices_for_threshold, auto_rollback, status, current_batch, total_batches, total_devices, trigger, reason, created_at, started_at, batch_started_at, batch_done_at, completed_at, release_id, health_grace_seconds, bake_seconds, max_retries, retry_backoff_seconds, defer_timeout_seconds, maintenance_windows, max_devices_per_minute, ramp, include_new_devices, start_at, end_at, next_window_at, device_image FROM image_update_rollouts;
DROP TABLE image_update_rollouts;
ALTER TABLE image_update_rollouts_new RENAME TO image_update_rollouts;
CREATE INDEX idx_rollouts_status ON image_update_rollouts (status);
CREATE INDEX idx_rollouts_repo ON image_update_rollouts (registry, namespace, image_name);
CREATE INDEX idx_rollouts_status_id ON image_update_rollouts (status, id);
CREATE INDEX idx_rollouts_content ON image_update_rollouts (registry, namespace, image_name, tag, digest);
-- Each chunk reads a repository's target apps after the cursor, in
-- (device_uuid, app) order: an index in that order makes it a range read.
DROP INDEX idx_device_target_apps_repo;
CREATE INDEX idx_device_target_apps_repo ON device_target_apps (repository, device_uuid, app);
COMMIT;
PRAGMA foreign_keys = ON;


-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
UPDATE image_update_rollouts SET status = 'cancelled', reason = 'planning stopped by a downgrade' WHERE status = 'planning';
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
    release_id BIGINT,
    health_grace_seconds INTEGER NOT NULL DEFAULT 0,
    bake_seconds INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL DEFAULT 0,
    retry_backoff_seconds INTEGER NOT NULL DEFAULT 0,
    defer_timeout_seconds INTEGER NOT NULL DEFAULT 0,
    maintenance_windows TEXT NOT NULL DEFAULT '[]',
    max_devices_per_minute INTEGER NOT NULL DEFAULT 0,
    ramp TEXT NOT NULL DEFAULT '{}',
    include_new_devices BOOLEAN NOT NULL DEFAULT TRUE,
    start_at TIMESTAMP,
    end_at TIMESTAMP,
    next_window_at TIMESTAMP,
    device_image TEXT NOT NULL DEFAULT ''
);
INSERT INTO image_update_rollouts_new (id, policy_id, registry, namespace, image_name, tag, digest, update_strategy, batch_size, batch_percent, batch_delay_seconds, canary_size, health_check_timeout_seconds, failure_threshold_percent, min_devices_for_threshold, auto_rollback, status, current_batch, total_batches, total_devices, trigger, reason, created_at, started_at, batch_started_at, batch_done_at, completed_at, release_id, health_grace_seconds, bake_seconds, max_retries, retry_backoff_seconds, defer_timeout_seconds, maintenance_windows, max_devices_per_minute, ramp, include_new_devices, start_at, end_at, next_window_at, device_image) SELECT id, policy_id, registry, namespace, image_name, tag, digest, update_strategy, batch_size, batch_percent, batch_delay_seconds, canary_size, health_check_timeout_seconds, failure_threshold_percent, min_devices_for_threshold, auto_rollback, status, current_batch, total_batches, total_devices, trigger, reason, created_at, started_at, batch_started_at, batch_done_at, completed_at, release_id, health_grace_seconds, bake_seconds, max_retries, retry_backoff_seconds, defer_timeout_seconds, maintenance_windows, max_devices_per_minute, ramp, include_new_devices, start_at, end_at, next_window_at, device_image FROM image_update_rollouts;
DROP TABLE image_update_rollouts;
ALTER TABLE image_update_rollouts_new RENAME TO image_update_rollouts;
CREATE INDEX idx_rollouts_status ON image_update_rollouts (status);
CREATE INDEX idx_rollouts_repo ON image_update_rollouts (registry, namespace, image_name);
CREATE INDEX idx_rollouts_status_id ON image_update_rollouts (status, id);
CREATE INDEX idx_rollouts_content ON image_update_rollouts (registry, namespace, image_name, tag, digest);
DROP INDEX idx_device_target_apps_repo;
CREATE INDEX idx_device_target_apps_repo ON device_target_apps (repository);
COMMIT;
PRAGMA foreign_keys = ON;

