-- +goose Up
-- Fleet-wide writes (issue 20): a rollout's planner writes thousands of
-- rows a transaction, and reports rewrite a device's row every few minutes.
--
-- On PostgreSQL each foreign key is a trigger that looks up, and key-share
-- locks, the parent row once per inserted row: the two keys of
-- rollout_devices made the planner's insert twice as slow, and the keys of
-- the target tables cost a bulk import a third of its time. These rows are
-- written only for devices just read or inserted in the same transaction:
-- a target state is inserted with its device and updated only where it is
-- found (locked); rollout entries are written by the planner and the
-- monitor under the rollout's lock. Deleting a device deletes its rows
-- itself (fleet.DeleteDevice), and rollouts are never deleted.
ALTER TABLE rollout_devices DROP CONSTRAINT rollout_devices_rollout_id_fkey;
ALTER TABLE rollout_devices DROP CONSTRAINT rollout_devices_device_uuid_fkey;
ALTER TABLE device_target_state DROP CONSTRAINT device_target_state_device_uuid_fkey;
ALTER TABLE device_target_apps DROP CONSTRAINT device_target_apps_device_uuid_fkey;

-- Room on each page for the next version of a row: an update that fits
-- its page and changes no indexed column adds no index entries (a HOT
-- update). Pages written from now on keep it.
ALTER TABLE device_target_state SET (fillfactor = 80);
ALTER TABLE device_target_apps SET (fillfactor = 80);
ALTER TABLE device_current_state SET (fillfactor = 80);
ALTER TABLE rollout_devices SET (fillfactor = 80);

-- +goose Down
ALTER TABLE rollout_devices RESET (fillfactor);
ALTER TABLE device_current_state RESET (fillfactor);
ALTER TABLE device_target_apps RESET (fillfactor);
ALTER TABLE device_target_state RESET (fillfactor);
DELETE FROM device_target_apps t WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.uuid = t.device_uuid);
DELETE FROM device_target_state t WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.uuid = t.device_uuid);
ALTER TABLE device_target_apps ADD CONSTRAINT device_target_apps_device_uuid_fkey
    FOREIGN KEY (device_uuid) REFERENCES devices (uuid) ON DELETE CASCADE;
ALTER TABLE device_target_state ADD CONSTRAINT device_target_state_device_uuid_fkey
    FOREIGN KEY (device_uuid) REFERENCES devices (uuid) ON DELETE CASCADE;
DELETE FROM rollout_devices rd WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.uuid = rd.device_uuid)
    OR NOT EXISTS (SELECT 1 FROM image_update_rollouts r WHERE r.id = rd.rollout_id);
ALTER TABLE rollout_devices ADD CONSTRAINT rollout_devices_rollout_id_fkey
    FOREIGN KEY (rollout_id) REFERENCES image_update_rollouts (id) ON DELETE CASCADE;
ALTER TABLE rollout_devices ADD CONSTRAINT rollout_devices_device_uuid_fkey
    FOREIGN KEY (device_uuid) REFERENCES devices (uuid) ON DELETE CASCADE;
