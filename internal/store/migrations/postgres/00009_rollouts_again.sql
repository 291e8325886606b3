-- +goose Up
-- A rollout is no longer one per image, tag and digest: releases record
-- each content once, and content whose rollout was rolled back may be
-- cleared and rolled out again. The UNIQUE's name is PostgreSQL's own
-- (truncated to 63 bytes), so it is looked up by its columns.
-- +goose StatementBegin
DO $$
DECLARE c text;
BEGIN
    SELECT conname INTO c FROM pg_constraint
    WHERE conrelid = 'image_update_rollouts'::regclass AND contype = 'u';
    EXECUTE format('ALTER TABLE image_update_rollouts DROP CONSTRAINT %I', c);
END $$;
-- +goose StatementEnd
CREATE INDEX idx_rollouts_content ON image_update_rollouts (registry, namespace, image_name, tag, digest);

-- +goose Down
DROP INDEX idx_rollouts_content;
ALTER TABLE image_update_rollouts ADD UNIQUE (registry, namespace, image_name, tag, digest);
