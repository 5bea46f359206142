// Package testkit gives tests real databases (a fresh SQLite file always, a
// fresh PostgreSQL schema when one answers) and a real HTTP server of the
// whole application.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
)

// DefaultPostgresURL is tried when TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the PostgreSQL to test against, or "" when none
// answers. KANTUTA_REQUIRE_POSTGRES=1 makes a missing one fatal.
func PostgresURL() string {
	pgOnce.Do(func() {
		u := os.Getenv("TEST_DATABASE_URL")
		if u == "" {
			u = DefaultPostgresURL
		}
		parsed, err := url.Parse(u)
		if err != nil {
			return
		}
		host := parsed.Host
		if !strings.Contains(host, ":") {
			host += ":5432"
		}
		conn, err := net.DialTimeout("tcp", host, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		pgURL = u
	})
	return pgURL
}

var (
	pgOnce sync.Once
	pgURL  string
)

func requirePostgres() bool { return os.Getenv("KANTUTA_REQUIRE_POSTGRES") == "1" }

// ForEachDB runs fn as a subtest on a fresh, migrated SQLite database and,
// when available, on a fresh, migrated PostgreSQL schema.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, NewSQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		db := NewPostgres(t)
		if db == nil {
			t.Skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
		}
		fn(t, db)
	})
}

// NewSQLite opens a migrated SQLite database in a temporary directory.
func NewSQLite(t testing.TB) *database.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kantuta.db")
	db, err := database.Open(context.Background(), "sqlite:"+path, database.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// NewPostgres creates a schema of its own, migrated, dropped after the test.
// It returns nil when no PostgreSQL answers (fatal if it is required).
func NewPostgres(t testing.TB) *database.DB {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		if requirePostgres() {
			t.Fatal("KANTUTA_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable")
		}
		return nil
	}
	ctx := context.Background()
	admin, err := database.Open(ctx, base, database.Options{MaxOpenConns: 2})
	if err != nil {
		if requirePostgres() {
			t.Fatalf("open postgres: %v", err)
		}
		t.Logf("postgres unavailable: %v", err)
		return nil
	}
	defer admin.Close()
	schema := "kt_" + randomHex(6)
	// Extensions live in public, once per database; the schema's search_path
	// includes public so the migrations find them.
	_ = admin.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").Error
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		cleanup, err := database.Open(context.Background(), base, database.Options{MaxOpenConns: 1})
		if err == nil {
			cleanup.Exec("DROP SCHEMA " + schema + " CASCADE")
			cleanup.Close()
		}
	})
	db, err := database.Open(ctx, WithSearchPath(base, schema), database.Options{})
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

// WithSearchPath returns the URL with search_path set to schema, then public.
func WithSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// PostgresSchema lists the indexes and constraints of the given PostgreSQL
// tables as the catalog defines them (foreign keys with whether they are
// validated), sorted: two calls compare equal when the schema is the same.
func PostgresSchema(t testing.TB, db *database.DB, tables ...string) []string {
	t.Helper()
	rows, err := db.Raw(`SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY (CAST(? AS text[])::regclass[])
		UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint
		WHERE conrelid = ANY (CAST(? AS text[])::regclass[]) ORDER BY 1`, "{"+strings.Join(tables, ",")+"}", "{"+strings.Join(tables, ",")+"}").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
