package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// stmtCache keeps prepared statements by query text. On SQLite, parsing a
// statement costs about as much as running it; PostgreSQL's pgx caches its
// own. Dynamic queries could grow the cache for ever, so past a bound new
// texts are simply not kept.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt
	n  atomic.Int64
}

const maxCachedStmts = 1000

// lookup returns the cached statement for q, if there is one.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if s, ok := c.m.Load(q); ok {
		return s.(*sql.Stmt)
	}
	return nil
}

// get returns the statement for q, preparing it when needed; cached says
// whether the cache keeps it (otherwise the caller closes it). It needs a
// free connection of the pool.
func (c *stmtCache) get(ctx context.Context, q string) (s *sql.Stmt, cached bool, err error) {
	if s := c.lookup(q); s != nil {
		return s, true, nil
	}
	s, err = c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, false, err
	}
	if c.n.Load() >= maxCachedStmts {
		return s, false, nil
	}
	if prev, loaded := c.m.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), true, nil
	}
	c.n.Add(1)
	return s, true, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
}
