package store_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/rollout"
	"github.com/airlock-iot/airlock/internal/rules"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/storetest"
)

// TestSchemaChecksMatchGo: every value list the schema enforces with a
// CHECK is the one the Go code defines, on both engines after migrating,
// so that a status added in Go cannot be refused by the database.
func TestSchemaChecksMatchGo(t *testing.T) {
	cases := []struct {
		table, column string
		want          []string
	}{
		{"image_update_rollouts", "status", rollout.Statuses},
		{"rollout_devices", "status", rollout.DeviceStatuses},
		{"image_update_policies", "update_strategy", rollout.Strategies},
		{"registries", "kind", airlock.RegistryKinds},
		{"api_tokens", "role", airlock.Roles},
		{"supply_rules", "kind", rules.Kinds},
		{"supply_rules", "mode", []string{rules.ModeEnforce, rules.ModeWarn}},
		{"release_checks", "status", []string{rules.CheckPending, rules.CheckSuccess, rules.CheckFailure}},
		{"image_approval_requests", "status", []string{rules.StatusPending, rules.StatusApproved, rules.StatusRejected, rules.StatusExpired}},
	}
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		for _, c := range cases {
			got := checkValues(t, db, c.table, c.column)
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(got, want) {
				t.Errorf("%s %s.%s CHECK allows %v, Go lists %v", db.Engine, c.table, c.column, got, want)
			}
		}
	})
}

var quoted = regexp.MustCompile(`'([^']*)'`)

// checkValues returns, sorted, the values a CHECK on table.column allows.
func checkValues(t *testing.T, db *store.DB, table, column string) []string {
	t.Helper()
	ctx := context.Background()
	var defs []string
	var err error
	if db.Engine == store.Postgres {
		defs, err = db.QueryStrings(ctx, `SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
			JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
			WHERE n.nspname = current_schema() AND r.relname = $1 AND c.contype = 'c'`, table)
	} else {
		var sql []string
		sql, err = db.QueryStrings(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1`, table)
		for _, s := range sql {
			defs = append(defs, strings.Split(s, "\n")...)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	col := regexp.MustCompile(`\b` + column + `\b[^,]*\bCHECK\b|\bCHECK\b.*\(+` + column + `\b`)
	for _, d := range defs {
		if col.MatchString(d) {
			var vals []string
			for _, m := range quoted.FindAllStringSubmatch(d[strings.Index(d, "CHECK"):], -1) {
				vals = append(vals, m[1])
			}
			return slices.Sorted(slices.Values(vals))
		}
	}
	t.Fatalf("%s: no CHECK on %s.%s", db.Engine, table, column)
	return nil
}
