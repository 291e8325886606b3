-- +goose Up
-- A registry declared by an admin. Its webhook secret is kept only as its
-- SHA-256, like API tokens; its pull password is kept as given, since pulls
-- need it, and is never returned.
CREATE TABLE registries (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    host                  TEXT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL CHECK (kind IN ('dockerhub', 'ghcr', 'harbor', 'quay', 'distribution', 'acr', 'generic')),
    insecure              BOOLEAN NOT NULL DEFAULT FALSE,
    username              TEXT NOT NULL DEFAULT '',
    password              TEXT NOT NULL DEFAULT '',
    webhook_secret_hash   TEXT NOT NULL UNIQUE,
    poll_interval_seconds INTEGER NOT NULL DEFAULT 0,
    mirror                TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);

-- Every spelling of a registry's host, the canonical one and its aliases:
-- one spelling names at most one registry.
CREATE TABLE registry_hosts (
    host        TEXT PRIMARY KEY,
    registry_id BIGINT NOT NULL REFERENCES registries (id) ON DELETE CASCADE,
    alias       BOOLEAN NOT NULL
);
CREATE INDEX idx_registry_hosts_registry ON registry_hosts (registry_id);

-- Stored deliveries expire; this finds the expired ones.
CREATE INDEX idx_webhook_deliveries_received ON webhook_deliveries (received_at);

-- +goose Down
DROP INDEX idx_webhook_deliveries_received;
DROP TABLE registry_hosts;
DROP TABLE registries;
