-- +goose Up
-- A release is one pushed content of an image under a tag (internal/release).
-- A tag has a history of releases; a digest appears once per tag.
CREATE TABLE releases (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    registry        TEXT NOT NULL,
    namespace       TEXT NOT NULL DEFAULT '',
    image_name      TEXT NOT NULL,
    tag             TEXT NOT NULL,
    digest          TEXT NOT NULL DEFAULT '',
    media_type      TEXT NOT NULL DEFAULT '',
    platforms       TEXT NOT NULL DEFAULT '[]',
    pushed_at       TIMESTAMP NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('webhook', 'poll', 'manual')),
    pusher          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('resolving', 'ready', 'held', 'refused', 'known_bad', 'duplicate')),
    hold            TEXT NOT NULL DEFAULT '',
    pinned          BOOLEAN NOT NULL DEFAULT FALSE,
    reason          TEXT NOT NULL DEFAULT '',
    decision        TEXT NOT NULL DEFAULT '{}',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX idx_releases_tag ON releases (registry, namespace, image_name, tag);
CREATE UNIQUE INDEX idx_releases_digest ON releases (registry, namespace, image_name, tag, digest) WHERE digest <> '';
CREATE INDEX idx_releases_status ON releases (status, next_attempt_at);

-- A device's platform in OCI form (linux/arm/v7), set at provisioning or reported.
ALTER TABLE devices ADD COLUMN platform TEXT NOT NULL DEFAULT '';
-- The release a rollout takes to devices. No foreign key: SQLite cannot
-- drop a column that has one, and releases are never deleted.
ALTER TABLE image_update_rollouts ADD COLUMN release_id BIGINT;
-- Why a device was left out of a rollout (its platform is not in the image).
ALTER TABLE rollout_devices ADD COLUMN skip_reason TEXT NOT NULL DEFAULT '';
-- Policy options: hold a release that lacks a platform of the policy's
-- devices instead of skipping them; let a push move devices backwards.
ALTER TABLE image_update_policies ADD COLUMN require_all_platforms BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE image_update_policies ADD COLUMN allow_downgrade BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE image_update_policies DROP COLUMN allow_downgrade;
ALTER TABLE image_update_policies DROP COLUMN require_all_platforms;
ALTER TABLE rollout_devices DROP COLUMN skip_reason;
ALTER TABLE image_update_rollouts DROP COLUMN release_id;
ALTER TABLE devices DROP COLUMN platform;
DROP TABLE releases;
