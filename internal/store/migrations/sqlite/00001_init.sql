-- +goose Up
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE images (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    registry        TEXT NOT NULL DEFAULT 'docker.io',
    namespace       TEXT NOT NULL DEFAULT '',
    image_name      TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL DEFAULT '',
    is_official     BOOLEAN NOT NULL DEFAULT FALSE,
    approval_status TEXT NOT NULL DEFAULT 'pending' CHECK (approval_status IN ('pending', 'approved', 'rejected')),
    approved_by     TEXT,
    approved_at     TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (registry, namespace, image_name)
);
CREATE INDEX idx_images_name ON images (image_name);
CREATE INDEX idx_images_status ON images (approval_status);

CREATE TABLE image_tags (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id          BIGINT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    tag               TEXT NOT NULL,
    digest            TEXT NOT NULL DEFAULT '',
    architecture      TEXT NOT NULL DEFAULT '',
    is_recommended    BOOLEAN NOT NULL DEFAULT FALSE,
    is_deprecated     BOOLEAN NOT NULL DEFAULT FALSE,
    deprecated_reason TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT 'admin' CHECK (source IN ('admin', 'webhook')),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (image_id, tag)
);
CREATE INDEX idx_image_tags_image_id ON image_tags (image_id);
CREATE INDEX idx_image_tags_tag ON image_tags (tag);

CREATE TABLE image_approval_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    registry      TEXT NOT NULL,
    namespace     TEXT NOT NULL DEFAULT '',
    image_name    TEXT NOT NULL,
    tag           TEXT NOT NULL DEFAULT '',
    tags_seen     TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    source        TEXT NOT NULL DEFAULT '',
    request_count BIGINT NOT NULL DEFAULT 1,
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    decided_by    TEXT,
    decided_at    TIMESTAMP,
    reason        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX idx_approval_requests_pending ON image_approval_requests (registry, namespace, image_name) WHERE status = 'pending';
CREATE INDEX idx_approval_requests_status ON image_approval_requests (status);

CREATE TABLE image_update_policies (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    image_pattern                TEXT NOT NULL,
    tag_constraint               TEXT NOT NULL DEFAULT '',
    update_strategy              TEXT NOT NULL DEFAULT 'staged' CHECK (update_strategy IN ('immediate', 'staged', 'canary', 'manual')),
    batch_size                   INTEGER NOT NULL DEFAULT 0,
    batch_percent                INTEGER NOT NULL DEFAULT 0,
    batch_delay_minutes          INTEGER NOT NULL DEFAULT 0,
    batch_delay_seconds          INTEGER NOT NULL DEFAULT 0,
    canary_size                  INTEGER NOT NULL DEFAULT 0,
    health_check_timeout_seconds INTEGER NOT NULL DEFAULT 300,
    failure_threshold_percent    INTEGER NOT NULL DEFAULT 20,
    min_devices_for_threshold    INTEGER NOT NULL DEFAULT 1,
    auto_rollback                BOOLEAN NOT NULL DEFAULT TRUE,
    device_filter                TEXT NOT NULL DEFAULT '{}',
    enabled                      BOOLEAN NOT NULL DEFAULT TRUE,
    description                  TEXT NOT NULL DEFAULT '',
    created_at                   TIMESTAMP NOT NULL,
    updated_at                   TIMESTAMP NOT NULL
);

CREATE TABLE image_update_rollouts (
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
CREATE INDEX idx_rollouts_status ON image_update_rollouts (status);
CREATE INDEX idx_rollouts_repo ON image_update_rollouts (registry, namespace, image_name);

CREATE TABLE devices (
    uuid         TEXT PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    labels       TEXT NOT NULL DEFAULT '{}',
    architecture TEXT NOT NULL DEFAULT '',
    api_key_hash TEXT NOT NULL,
    last_seen_at TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_devices_key ON devices (api_key_hash);

CREATE TABLE rollout_devices (
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
CREATE INDEX idx_rollout_devices_device ON rollout_devices (device_uuid);
CREATE INDEX idx_rollout_devices_batch ON rollout_devices (rollout_id, batch, status);

CREATE TABLE device_target_state (
    device_uuid TEXT PRIMARY KEY REFERENCES devices (uuid) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    state       TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE device_target_apps (
    device_uuid TEXT NOT NULL REFERENCES devices (uuid) ON DELETE CASCADE,
    app         TEXT NOT NULL,
    repository  TEXT NOT NULL,
    image       TEXT NOT NULL,
    PRIMARY KEY (device_uuid, app)
);
CREATE INDEX idx_device_target_apps_repo ON device_target_apps (repository);

CREATE TABLE device_current_state (
    device_uuid    TEXT PRIMARY KEY REFERENCES devices (uuid) ON DELETE CASCADE,
    state          TEXT NOT NULL,
    cpu_percent    REAL,
    memory_percent REAL,
    uptime_seconds BIGINT,
    reported_at    TIMESTAMP NOT NULL
);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    type       TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL DEFAULT '',
    payload    TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_events_type ON events (type);
CREATE INDEX idx_events_subject ON events (subject);

CREATE TABLE webhook_deliveries (
    source      TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    outcome     TEXT NOT NULL DEFAULT '',
    status      INTEGER NOT NULL DEFAULT 0,
    response    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, delivery_id)
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'approver', 'viewer')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE leases;
DROP TABLE api_tokens;
DROP TABLE webhook_deliveries;
DROP TABLE events;
DROP TABLE device_current_state;
DROP TABLE device_target_apps;
DROP TABLE device_target_state;
DROP TABLE rollout_devices;
DROP TABLE devices;
DROP TABLE image_update_rollouts;
DROP TABLE image_update_policies;
DROP TABLE image_approval_requests;
DROP TABLE image_tags;
DROP TABLE images;
DROP TABLE settings;
