-- +goose Up
-- Supply-chain rules, scan reports and CI checks per digest, and approval
-- requests that record every decision (issues 16, 17, 23).
CREATE TABLE supply_rules (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    image_pattern TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('signature', 'vulnerabilities', 'tag', 'registries', 'age', 'labels', 'approvals', 'checks', 'test_ring')),
    mode          TEXT NOT NULL CHECK (mode IN ('enforce', 'warn')),
    spec          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE scan_reports (
    id          BIGSERIAL PRIMARY KEY,
    digest      TEXT NOT NULL,
    scanner     TEXT NOT NULL,
    scanned_at  TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    reported_by TEXT NOT NULL DEFAULT '',
    counts      TEXT NOT NULL DEFAULT '{}',
    findings    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX idx_scan_reports_digest ON scan_reports (digest, scanned_at);

CREATE TABLE release_checks (
    digest      TEXT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'success', 'failure')),
    url         TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    reported_by TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (digest, name)
);

ALTER TABLE images ADD COLUMN approval_scope TEXT NOT NULL DEFAULT 'image' CHECK (approval_scope IN ('image', 'release'));

ALTER TABLE image_approval_requests
    ADD COLUMN pusher TEXT NOT NULL DEFAULT '',
    ADD COLUMN digest TEXT NOT NULL DEFAULT '',
    ADD COLUMN rule TEXT NOT NULL DEFAULT '',
    ADD COLUMN required INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN expires_at TIMESTAMPTZ,
    ADD COLUMN warn_at TIMESTAMPTZ,
    ADD COLUMN warned_at TIMESTAMPTZ,
    ADD COLUMN decisions TEXT NOT NULL DEFAULT '[]',
    DROP CONSTRAINT image_approval_requests_status_check,
    ADD CONSTRAINT image_approval_requests_status_check CHECK (status IN ('pending', 'approved', 'rejected', 'expired'));
-- One pending request per image, or per digest for release-scoped images.
DROP INDEX idx_approval_requests_pending;
CREATE UNIQUE INDEX idx_approval_requests_pending ON image_approval_requests (registry, namespace, image_name, digest) WHERE status = 'pending';

ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check,
    ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'approver', 'viewer', 'scanner', 'ci'));

-- +goose Down
DELETE FROM api_tokens WHERE role IN ('scanner', 'ci');
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check,
    ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'approver', 'viewer'));
DELETE FROM image_approval_requests WHERE status = 'pending' AND digest <> '';
UPDATE image_approval_requests SET status = 'rejected' WHERE status = 'expired';
DROP INDEX idx_approval_requests_pending;
CREATE UNIQUE INDEX idx_approval_requests_pending ON image_approval_requests (registry, namespace, image_name) WHERE status = 'pending';
ALTER TABLE image_approval_requests
    DROP CONSTRAINT image_approval_requests_status_check,
    ADD CONSTRAINT image_approval_requests_status_check CHECK (status IN ('pending', 'approved', 'rejected')),
    DROP COLUMN pusher, DROP COLUMN digest, DROP COLUMN rule, DROP COLUMN required,
    DROP COLUMN expires_at, DROP COLUMN warn_at, DROP COLUMN warned_at, DROP COLUMN decisions;
ALTER TABLE images DROP COLUMN approval_scope;
DROP TABLE release_checks;
DROP TABLE scan_reports;
DROP TABLE supply_rules;
