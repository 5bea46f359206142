package database

import (
	"context"
	"errors"
	"fmt"
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
