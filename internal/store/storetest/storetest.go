// Package storetest opens a fresh, migrated database for a test: SQLite always,
// and PostgreSQL (a schema of its own) when AIRLOCK_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/airlock-iot/airlock/internal/store"
)

// Engines lists the engines tests run on here.
func Engines() []string {
	if os.Getenv("AIRLOCK_TEST_POSTGRES_URL") != "" {
		return []string{store.SQLite, store.Postgres}
	}
	return []string{store.SQLite}
}

// Each runs fn as a subtest per engine, each with a fresh database URL.
func Each(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) { fn(t, URL(t, engine)) })
	}
}

// EachDB is Each with the database opened and migrated.
func EachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	Each(t, func(t *testing.T, dbURL string) { fn(t, Open(t, dbURL)) })
}

// URL returns the URL of a fresh, empty database on engine, removed after the test.
func URL(t testing.TB, engine string) string {
	t.Helper()
	if engine == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "airlock.db")
	}
	base := os.Getenv("AIRLOCK_TEST_POSTGRES_URL")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens and migrates the database at dbURL, closing it after the test.
func Open(t testing.TB, dbURL string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
