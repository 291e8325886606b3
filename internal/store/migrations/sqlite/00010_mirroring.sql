-- +goose Up
-- Mirroring (issue 18): at most one registry is the fleet's mirror (is_mirror;
-- 00003's text column mirror was never used); a policy may opt out of it.
ALTER TABLE registries ADD COLUMN is_mirror BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX idx_registries_one_mirror ON registries (is_mirror) WHERE is_mirror;
ALTER TABLE image_update_policies ADD COLUMN mirror BOOLEAN NOT NULL DEFAULT TRUE;
-- The reference a rollout's devices are sent when it is not the image's own
-- (the mirror's copy, same digest); '' when it is.
ALTER TABLE image_update_rollouts ADD COLUMN device_image TEXT NOT NULL DEFAULT '';
-- A release's copy into the mirror: its progress, errors and retries.
CREATE TABLE release_mirrors (
    release_id      BIGINT PRIMARY KEY,
    mirror          TEXT NOT NULL,
    reference       TEXT NOT NULL,
    state           TEXT NOT NULL,
    blobs_done      INTEGER NOT NULL DEFAULT 0,
    blobs_total     INTEGER NOT NULL DEFAULT 0,
    bytes_done      BIGINT NOT NULL DEFAULT 0,
    bytes_total     BIGINT NOT NULL DEFAULT 0,
    bytes_copied    BIGINT NOT NULL DEFAULT 0,
    manifests_done  INTEGER NOT NULL DEFAULT 0,
    manifests_total INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX idx_release_mirrors_due ON release_mirrors (state, next_attempt_at);

-- +goose Down
DROP TABLE release_mirrors;
ALTER TABLE image_update_rollouts DROP COLUMN device_image;
ALTER TABLE image_update_policies DROP COLUMN mirror;
DROP INDEX idx_registries_one_mirror;
ALTER TABLE registries DROP COLUMN is_mirror;
