-- +goose NO TRANSACTION
-- +goose Up
-- Supply-chain rules, scan reports and CI checks per digest, and approval
-- requests that record every decision (issues 16, 17, 23). SQLite cannot
-- change a CHECK in place, so image_approval_requests and api_tokens are
-- rebuilt as 00004 describes: foreign keys off, one transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE supply_rules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    image_pattern TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('signature', 'vulnerabilities', 'tag', 'registries', 'age', 'labels', 'approvals', 'checks', 'test_ring')),
    mode          TEXT NOT NULL CHECK (mode IN ('enforce', 'warn')),
    spec          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE scan_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    digest      TEXT NOT NULL,
    scanner     TEXT NOT NULL,
    scanned_at  TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
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
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (digest, name)
);

ALTER TABLE images ADD COLUMN approval_scope TEXT NOT NULL DEFAULT 'image' CHECK (approval_scope IN ('image', 'release'));

CREATE TABLE image_approval_requests_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    registry      TEXT NOT NULL,
    namespace     TEXT NOT NULL DEFAULT '',
    image_name    TEXT NOT NULL,
    tag           TEXT NOT NULL DEFAULT '',
    tags_seen     TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    source        TEXT NOT NULL DEFAULT '',
    request_count BIGINT NOT NULL DEFAULT 1,
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    decided_by    TEXT,
    decided_at    TIMESTAMP,
    reason        TEXT NOT NULL DEFAULT '',
    pusher        TEXT NOT NULL DEFAULT '',
    digest        TEXT NOT NULL DEFAULT '',
    rule          TEXT NOT NULL DEFAULT '',
    required      INTEGER NOT NULL DEFAULT 1,
    expires_at    TIMESTAMP,
    warn_at       TIMESTAMP,
    warned_at     TIMESTAMP,
    decisions     TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO image_approval_requests_new (id, registry, namespace, image_name, tag, tags_seen, status, source,
    request_count, first_seen_at, last_seen_at, decided_by, decided_at, reason)
    SELECT id, registry, namespace, image_name, tag, tags_seen, status, source,
    request_count, first_seen_at, last_seen_at, decided_by, decided_at, reason FROM image_approval_requests;
DROP TABLE image_approval_requests;
ALTER TABLE image_approval_requests_new RENAME TO image_approval_requests;
-- One pending request per image, or per digest for release-scoped images.
CREATE UNIQUE INDEX idx_approval_requests_pending ON image_approval_requests (registry, namespace, image_name, digest) WHERE status = 'pending';
CREATE INDEX idx_approval_requests_status ON image_approval_requests (status);

CREATE TABLE api_tokens_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'approver', 'viewer', 'scanner', 'ci')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
INSERT INTO api_tokens_new SELECT id, name, role, token_hash, created_at, last_used_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
DELETE FROM api_tokens WHERE role IN ('scanner', 'ci');
CREATE TABLE api_tokens_old (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'approver', 'viewer')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
INSERT INTO api_tokens_old SELECT id, name, role, token_hash, created_at, last_used_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_old RENAME TO api_tokens;
CREATE TABLE image_approval_requests_old (
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
INSERT INTO image_approval_requests_old SELECT id, registry, namespace, image_name, tag, tags_seen,
    CASE status WHEN 'expired' THEN 'rejected' ELSE status END, source, request_count, first_seen_at, last_seen_at,
    decided_by, decided_at, reason FROM image_approval_requests WHERE status <> 'pending' OR digest = '';
DROP TABLE image_approval_requests;
ALTER TABLE image_approval_requests_old RENAME TO image_approval_requests;
CREATE UNIQUE INDEX idx_approval_requests_pending ON image_approval_requests (registry, namespace, image_name) WHERE status = 'pending';
CREATE INDEX idx_approval_requests_status ON image_approval_requests (status);
ALTER TABLE images DROP COLUMN approval_scope;
DROP TABLE release_checks;
DROP TABLE scan_reports;
DROP TABLE supply_rules;
COMMIT;
PRAGMA foreign_keys = ON;
