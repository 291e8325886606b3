-- +goose Up
-- What content weighs and what rolling it out costs (issue 23): each
-- inspected digest's platform images with their config and layer
-- descriptors, so sizes and per-device downloads need no registry call;
-- each policy's cost limits; and the approvers who released a cost hold.
CREATE TABLE content_sizes (
    digest       TEXT PRIMARY KEY,
    platforms    TEXT NOT NULL,
    inspected_at TIMESTAMP NOT NULL
);

CREATE TABLE policy_cost_limits (
    policy_id                     BIGINT PRIMARY KEY REFERENCES image_update_policies (id) ON DELETE CASCADE,
    max_download_bytes_per_device BIGINT NOT NULL DEFAULT 0,
    max_rollout_cost              DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_at                    TIMESTAMP NOT NULL
);

CREATE TABLE cost_hold_releases (
    release_id  BIGINT PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    released_by TEXT NOT NULL,
    figures     TEXT NOT NULL DEFAULT '',
    released_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE cost_hold_releases;
DROP TABLE policy_cost_limits;
DROP TABLE content_sizes;
