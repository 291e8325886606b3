package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
)

const registryCols = `id, host, kind, insecure, username, password, created_at, updated_at, poll_interval_seconds, is_mirror`

func scanRegistry(s store.Scanner) (airlock.Registry, error) {
	var r airlock.Registry
	var poll int64
	err := s.Scan(&r.ID, &r.Host, &r.Kind, &r.Insecure, &r.Username, &r.Password,
		(*store.TimeScan)(&r.CreatedAt), (*store.TimeScan)(&r.UpdatedAt), &poll, &r.Mirror)
	if poll > 0 {
		r.PollInterval = (time.Duration(poll) * time.Second).String()
	}
	r.PasswordSet, r.Aliases = r.Password != "", []string{}
	return r, err
}

func registrySubject(id int64) string { return fmt.Sprintf("registry/%d", id) }

// CreateRegistry declares a registry with its aliases and the hash of its
// webhook secret. A host or alias that names a registry already is a conflict.
func CreateRegistry(ctx context.Context, tx *store.Tx, r airlock.Registry, secretHash string) (airlock.Registry, error) {
	now := tx.Now()
	created, err := scanRegistry(tx.QueryRow(ctx, `INSERT INTO registries (host, kind, insecure, username, password,
		webhook_secret_hash, poll_interval_seconds, created_at, updated_at, is_mirror) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
		ON CONFLICT DO NOTHING RETURNING `+registryCols, r.Host, r.Kind, r.Insecure, r.Username, r.Password, secretHash,
		pollSeconds(r), now, r.Mirror))
	if err != nil {
		return created, store.NotFoundAs(err, airlock.ECONFLICT, "registry %s is declared already", r.Host)
	}
	if err := setHosts(ctx, tx, created.ID, r.Host, r.Aliases); err != nil {
		return created, err
	}
	created.Aliases = r.Aliases
	return created, tx.AddEvent(ctx, "registry.created", registrySubject(created.ID), created)
}

// pollSeconds is a validated poll interval in whole seconds; 0 when never.
func pollSeconds(r airlock.Registry) int64 {
	d, _ := time.ParseDuration(r.PollInterval)
	return int64(d / time.Second)
}

// setHosts replaces the spellings of a registry's host.
func setHosts(ctx context.Context, tx *store.Tx, id int64, host string, aliases []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM registry_hosts WHERE registry_id = $1`, id); err != nil {
		return fmt.Errorf("clear registry hosts: %w", err)
	}
	for i, h := range append([]string{host}, aliases...) {
		res, err := tx.Exec(ctx, `INSERT INTO registry_hosts (host, registry_id, alias) VALUES ($1, $2, $3)
			ON CONFLICT (host) DO NOTHING`, h, id, i > 0)
		if err != nil {
			return fmt.Errorf("insert registry host: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			e := airlock.Errorf(airlock.ECONFLICT, "host %s names another registry already", h)
			e.Field = "aliases"
			return e
		}
	}
	return nil
}

func aliases(ctx context.Context, q store.Querier, r *airlock.Registry) error {
	rows, err := q.Query(ctx, `SELECT host FROM registry_hosts WHERE registry_id = $1 AND alias ORDER BY host`, r.ID)
	if err != nil {
		return err
	}
	r.Aliases, err = store.Collect(rows, scanString)
	return err
}

func scanString(s store.Scanner) (string, error) {
	var v string
	return v, s.Scan(&v)
}

// RegistryForUpdate reads a registry with its aliases, locking it.
func RegistryForUpdate(ctx context.Context, tx *store.Tx, id int64) (airlock.Registry, error) {
	r, err := scanRegistry(tx.QueryRow(ctx, `SELECT `+registryCols+` FROM registries WHERE id = $1`+tx.ForUpdate(), id))
	if err != nil {
		return r, store.NotFound(err, "registry %d not found", id)
	}
	return r, aliases(ctx, tx, &r)
}

// UpdateRegistry writes every mutable field of r, its aliases included.
// The host stays: images and deliveries are recorded under it.
func UpdateRegistry(ctx context.Context, tx *store.Tx, r airlock.Registry) (airlock.Registry, error) {
	updated, err := scanRegistry(tx.QueryRow(ctx, `UPDATE registries SET kind = $1, insecure = $2, username = $3,
		password = $4, poll_interval_seconds = $5, updated_at = $6, is_mirror = $8 WHERE id = $7 RETURNING `+registryCols,
		r.Kind, r.Insecure, r.Username, r.Password, pollSeconds(r), tx.Now(), r.ID, r.Mirror))
	if err != nil {
		return updated, store.NotFound(err, "registry %d not found", r.ID)
	}
	if err := setHosts(ctx, tx, r.ID, updated.Host, r.Aliases); err != nil {
		return updated, err
	}
	updated.Aliases = r.Aliases
	return updated, tx.AddEvent(ctx, "registry.updated", registrySubject(r.ID), updated)
}

// SetRegistrySecret replaces a registry's webhook secret; the old one
// stops working when the transaction commits.
func SetRegistrySecret(ctx context.Context, tx *store.Tx, id int64, secretHash string) (airlock.Registry, error) {
	r, err := scanRegistry(tx.QueryRow(ctx, `UPDATE registries SET webhook_secret_hash = $1, updated_at = $2
		WHERE id = $3 RETURNING `+registryCols, secretHash, tx.Now(), id))
	if err != nil {
		return r, store.NotFound(err, "registry %d not found", id)
	}
	if err := aliases(ctx, tx, &r); err != nil {
		return r, err
	}
	return r, tx.AddEvent(ctx, "registry.secret_rotated", registrySubject(id), map[string]any{"id": id, "host": r.Host})
}

// DeleteRegistry removes a registry and its aliases. Images recorded under
// its host stay; pushes naming it fall back to the global secret's rules.
func DeleteRegistry(ctx context.Context, tx *store.Tx, id int64) error {
	r, err := RegistryForUpdate(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM registries WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete registry: %w", err)
	}
	return tx.AddEvent(ctx, "registry.deleted", registrySubject(id), r)
}

// RegistryByHost returns the registry one of whose spellings is host.
func RegistryByHost(ctx context.Context, tx *store.Tx, host string) (airlock.Registry, error) {
	r, err := scanRegistry(tx.QueryRow(ctx, `SELECT r.id, r.host, r.kind, r.insecure, r.username, r.password, r.created_at, r.updated_at,
		r.poll_interval_seconds, r.is_mirror FROM registries r
		JOIN registry_hosts h ON h.registry_id = r.id WHERE h.host = $1`, host))
	if err != nil {
		return r, store.NotFound(err, "no registry for host %s", host)
	}
	return r, aliases(ctx, tx, &r)
}

// RegistryBySecret finds the registry whose webhook secret this is. The
// lookup is by hash on a unique index, as for API tokens.
func RegistryBySecret(ctx context.Context, db *store.DB, secret string) (airlock.Registry, error) {
	r, err := scanRegistry(db.QueryRow(ctx, `SELECT `+registryCols+` FROM registries WHERE webhook_secret_hash = $1`,
		store.HashSecret(secret)))
	if err != nil {
		return r, store.NotFound(err, "no such registry secret")
	}
	return r, aliases(ctx, db, &r)
}

// Registries lists every registry with its aliases, by host.
func Registries(ctx context.Context, db *store.DB) ([]airlock.Registry, error) {
	rows, err := db.Query(ctx, `SELECT `+registryCols+` FROM registries ORDER BY host`)
	if err != nil {
		return nil, err
	}
	out, err := store.Collect(rows, scanRegistry)
	for i := 0; err == nil && i < len(out); i++ {
		err = aliases(ctx, db, &out[i])
	}
	return out, err
}

// Registry returns one registry with its aliases.
func Registry(ctx context.Context, db *store.DB, id int64) (airlock.Registry, error) {
	r, err := scanRegistry(db.QueryRow(ctx, `SELECT `+registryCols+` FROM registries WHERE id = $1`, id))
	if err != nil {
		return r, store.NotFound(err, "registry %d not found", id)
	}
	return r, aliases(ctx, db, &r)
}

// MirrorRegistry returns the registry declared as the mirror, other than
// id (0: any), or ENOTFOUND when there is none.
func MirrorRegistry(ctx context.Context, tx *store.Tx, except int64) (airlock.Registry, error) {
	r, err := scanRegistry(tx.QueryRow(ctx, `SELECT `+registryCols+` FROM registries WHERE is_mirror AND id <> $1`, except))
	return r, store.NotFound(err, "no mirror is declared")
}
