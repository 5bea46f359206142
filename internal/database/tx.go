package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// ErrContention is returned when a transaction kept failing on deadlocks or
// serialization conflicts after every retry; handlers answer 503.
var ErrContention = errors.New("database: transaction retried too often")

// txTries is how many times Tx runs a transaction that fails on a deadlock
// or serialization conflict (SPEC §12.3: 3 tries, then 503).
const txTries = 3

type afterCommitKey struct{}

type afterCommit struct {
	mu  sync.Mutex
	fns []func()
}

// Tx runs fn in one transaction. SQLite opens it with BEGIN IMMEDIATE (the
// DSN's _txlock), so writers queue instead of failing; PostgreSQL takes the
// row locks fn asks for. A deadlock or serialization failure runs fn again
// (fn must be safe to repeat: it only talks to tx), up to three times, then
// ErrContention. The functions fn registered with AfterCommit run once the
// commit succeeded, never after a rollback: that is where events go.
func (db *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for try := 0; try < txTries; try++ {
		hooks := &afterCommit{}
		tctx := context.WithValue(ctx, afterCommitKey{}, hooks)
		err = db.WithContext(tctx).Transaction(fn)
		if err == nil {
			for _, f := range hooks.fns {
				f()
			}
			return nil
		}
		if !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return fmt.Errorf("%w: %w", ErrContention, err)
}

// AfterCommit schedules f to run after the transaction tx (one opened by
// Tx) commits. Outside such a transaction f runs at once: the write it
// follows is already committed.
func AfterCommit(tx *gorm.DB, f func()) {
	var hooks *afterCommit
	if tx != nil && tx.Statement != nil && tx.Statement.Context != nil {
		hooks, _ = tx.Statement.Context.Value(afterCommitKey{}).(*afterCommit)
	}
	if hooks == nil {
		f()
		return
	}
	hooks.mu.Lock()
	hooks.fns = append(hooks.fns, f)
	hooks.mu.Unlock()
}

// IsRetryable reports a deadlock or serialization failure: the transaction
// lost a race and may simply run again.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 40001") || strings.Contains(msg, "SQLSTATE 40P01")
}

// PgxTx runs fn in a transaction on one of the pool's connections as pgx
// sees it (PostgreSQL only): for COPY, which database/sql cannot speak. The
// seeds write their batches with it.
func (db *DB) PgxTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		return pgx.BeginFunc(ctx, dc.(*stdlib.Conn).Conn(), fn)
	})
}

// QueryTx and ExecTx run a statement of the transaction tx on its
// connection directly, without GORM's statement building (which parses the
// text for placeholders and wraps every argument: with a sale's long
// statements, 8% of its CPU). q has ? placeholders, numbered $1, $2, … on
// PostgreSQL once per text; arguments are passed to the driver as given.
func (db *DB) QueryTx(tx *gorm.DB, q string, args ...any) (*sql.Rows, error) {
	return tx.Statement.ConnPool.QueryContext(txContext(tx), db.bind(q), args...)
}

// ExecTx is QueryTx for a statement that returns no rows.
func (db *DB) ExecTx(tx *gorm.DB, q string, args ...any) (sql.Result, error) {
	return tx.Statement.ConnPool.ExecContext(txContext(tx), db.bind(q), args...)
}

func txContext(tx *gorm.DB) context.Context {
	if tx.Statement.Context != nil {
		return tx.Statement.Context
	}
	return context.Background()
}

// bound caches the PostgreSQL form of statement texts (a few per kind of
// write and number of lines); past boundMax texts it stops caching.
var bound struct {
	sync.RWMutex
	m map[string]string
}

const boundMax = 4096

// bind numbers the ? placeholders of q outside quoted literals for
// PostgreSQL; SQLite takes them as they are.
func (db *DB) bind(q string) string {
	if !db.IsPostgres() {
		return q
	}
	bound.RLock()
	b, ok := bound.m[q]
	bound.RUnlock()
	if ok {
		return b
	}
	var sb strings.Builder
	sb.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(c)
	}
	b = sb.String()
	bound.Lock()
	if bound.m == nil {
		bound.m = map[string]string{}
	}
	if len(bound.m) < boundMax {
		bound.m[q] = b
	}
	bound.Unlock()
	return b
}
