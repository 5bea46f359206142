// Package database opens the configured database (embedded SQLite or
// PostgreSQL) through GORM and applies the embedded migrations.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/migrations"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is a GORM handle that knows which dialect it speaks; stores use Dialect
// for the few queries that differ (locking, search, bulk insert).
type DB struct {
	*gorm.DB
	Dialect string
	SQL     *sql.DB
}

// Options tune the pool; zero values pick defaults for the dialect.
type Options struct {
	MaxOpenConns int
	Logger       *slog.Logger
}

// Open connects to url ("postgres://…" or "sqlite:PATH") and checks the
// connection.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // stores open transactions where writes belong together
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		TranslateError:         true,
	}
	var (
		dialector gorm.Dialector
		dialect   string
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dialect = Postgres
		dialector = postgres.New(postgres.Config{DSN: url})
	case strings.HasPrefix(url, "sqlite:"):
		dialect = SQLite
		path := SQLitePath(url)
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, dirError(dir, err)
			}
		}
		dialector = sqlite.Open(SQLiteDSN(path))
	default:
		return nil, errors.New("database url must start with postgres:// or sqlite:")
	}
	gdb, err := gorm.Open(dialector, cfg)
	if err != nil {
		if dialect == Postgres {
			err = postgresHint(url, err)
		}
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	maxOpen := opts.MaxOpenConns
	if maxOpen <= 0 {
		maxOpen = 4 * runtime.NumCPU()
		if maxOpen < 8 {
			maxOpen = 8
		}
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if dialect == Postgres {
		// Recycle connections so a PostgreSQL failover or restart is absorbed.
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		if dialect == Postgres {
			err = postgresHint(url, err)
		}
		return nil, fmt.Errorf("connect to %s: %w", dialect, err)
	}
	return &DB{DB: gdb, Dialect: dialect, SQL: sqlDB}, nil
}

// SQLiteDSN sets busy_timeout before anything else (so WAL setup itself
// waits instead of failing), then WAL, foreign keys and immediate write
// transactions, without which concurrent writers get "database is locked".
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// Close releases the pool.
func (db *DB) Close() error { return db.SQL.Close() }

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

// IsPostgres is a shorthand for the dialect check.
func (db *DB) IsPostgres() bool { return db.Dialect == Postgres }

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, db.Dialect)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if db.IsPostgres() {
		dialect = goose.DialectPostgres
	}
	// Out of order: a migration merged from a branch after a later one was
	// applied (as happens with parallel work) is applied, not refused.
	return goose.NewProvider(dialect, db.SQL, sub, goose.WithAllowOutofOrder(true))
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	p, err := db.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	var applied []string
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// MigrateDown rolls back the newest migration.
func (db *DB) MigrateDown(ctx context.Context) (string, error) {
	p, err := db.provider()
	if err != nil {
		return "", fmt.Errorf("migrations: %w", err)
	}
	r, err := p.Down(ctx)
	if err != nil {
		return "", fmt.Errorf("migrate down: %w", err)
	}
	return r.Source.Path, nil
}

// MigrationState is one line of `kantuta migrate status`.
type MigrationState struct {
	Version   int64
	Path      string
	Applied   bool
	AppliedAt time.Time
}

// MigrationStatus lists every known migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]MigrationState, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationState{
			Version: s.Source.Version, Path: s.Source.Path,
			Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Money is the value to bind for an amount on this database: INTEGER
// centavos on SQLite, NUMERIC(12,2) text on PostgreSQL (SPEC §12.1).
// money.Cents scans back from either.
func (db *DB) Money(c money.Cents) any {
	if db.IsPostgres() {
		return c.PostgresValue()
	}
	return c.SQLiteValue()
}
