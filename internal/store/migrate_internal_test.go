package store

import (
	"context"
	"testing"
)

// TestSQLiteRebuildKeepsRows: migration 00004 rebuilds the rollout tables
// on SQLite to widen their CHECKs; their rows survive it (dropping the old
// table must not cascade), the new statuses are accepted, and the foreign
// keys are back on and cascading afterwards.
func TestSQLiteRebuildKeepsRows(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+t.TempDir()+"/airlock.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.provider(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	count := func() (n int) {
		t.Helper()
		if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM rollout_devices`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	exec(`INSERT INTO devices (uuid, api_key_hash, created_at) VALUES ('d1', 'h', '2020-01-01')`)
	exec(`INSERT INTO image_update_rollouts (registry, image_name, tag, update_strategy, status, created_at)
		VALUES ('docker.io', 'redis', '7', 'staged', 'pending', '2020-01-01')`)
	exec(`INSERT INTO rollout_devices (rollout_id, device_uuid, app, batch, target_image, status, updated_at)
		VALUES (1, 'd1', 'cache', 1, 'docker.io/library/redis:7', 'pending', '2020-01-01')`)
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d rollout devices after the migration, want 1", n)
	}
	exec(`UPDATE rollout_devices SET status = 'baking'`)
	exec(`UPDATE image_update_rollouts SET status = 'waiting_for_window'`)
	exec(`DELETE FROM image_update_rollouts`)
	if n := count(); n != 0 {
		t.Fatalf("%d rollout devices after deleting their rollout, want 0 (foreign keys off?)", n)
	}
}
