package database_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestLockSQLite(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "kantuta.db")
	unlock, err := database.LockSQLite(url)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder (another open file description, as another process
	// would have) is refused with the fix in the message.
	if _, err := database.LockSQLite(url); err == nil ||
		!strings.Contains(err.Error(), "another kantuta (process ") || !strings.Contains(err.Error(), "KANTUTA_DATA_DIR") {
		t.Fatalf("second lock: %v", err)
	}
	// Another file in the same directory is a different database.
	unlock2, err := database.LockSQLite("sqlite:" + filepath.Join(dir, "other.db"))
	if err != nil {
		t.Fatalf("another file: %v", err)
	}
	unlock2()
	unlock()
	unlock3, err := database.LockSQLite(url)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock3()
	// PostgreSQL: nothing to lock.
	if _, err := database.LockSQLite("postgres://u@h/db"); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrorsNameTheFix(t *testing.T) {
	ctx := context.Background()
	// A data directory that cannot be created.
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := database.Open(ctx, "sqlite:"+filepath.Join(file, "data", "kantuta.db"), database.Options{})
	if err == nil || !strings.Contains(err.Error(), "KANTUTA_DATA_DIR") {
		t.Fatalf("unwritable data dir: %v", err)
	}
	// Nobody listening.
	_, err = database.Open(ctx, "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", database.Options{})
	if err == nil || !strings.Contains(err.Error(), "no PostgreSQL answers at 127.0.0.1:1") {
		t.Fatalf("refused: %v", err)
	}
	// A database that does not exist (when PostgreSQL runs here).
	pg := testkit.PostgresURL()
	if pg == "" {
		t.Skip("no PostgreSQL: the missing-database hint is not checked")
	}
	u, _ := url.Parse(pg)
	u.Path = "/kantuta_no_such_db"
	_, err = database.Open(ctx, u.String(), database.Options{})
	if err == nil || !strings.Contains(err.Error(), "createdb -h") || !strings.Contains(err.Error(), "kantuta_no_such_db") {
		t.Fatalf("missing database: %v", err)
	}
}

func TestMigrationsListed(t *testing.T) {
	for _, d := range []string{database.SQLite, database.Postgres} {
		ms, err := database.Migrations(d)
		if err != nil || len(ms) < 5 || ms[0].Version != 1 || ms[0].Path != "00001_roles.sql" {
			t.Fatalf("%s: %v %v", d, ms, err)
		}
	}
}
