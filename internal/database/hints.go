package database

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kantuta/kantuta/migrations"
)

// SQLitePath is the file of a "sqlite:PATH" database URL ("" for others).
func SQLitePath(dbURL string) string {
	if !strings.HasPrefix(dbURL, "sqlite:") {
		return ""
	}
	return strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite:"), "//")
}

// dirError explains a data directory that cannot be created or written,
// naming the settings that move it.
func dirError(dir string, err error) error {
	return fmt.Errorf("cannot create the SQLite directory %s: %w; set KANTUTA_DATA_DIR to a directory this user can write (or DATABASE_URL=sqlite:/path/to/kantuta.db)", dir, err)
}

// postgresHint adds the command that fixes the commonest connection
// failures to a PostgreSQL error.
func postgresHint(dsn string, err error) error {
	u, _ := url.Parse(dsn)
	host, port, user, name := "localhost", "5432", "", ""
	if u != nil {
		if u.Hostname() != "" {
			host = u.Hostname()
		}
		if u.Port() != "" {
			port = u.Port()
		}
		user = u.User.Username()
		name = strings.TrimPrefix(u.Path, "/")
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		cmd := "createdb -h " + host + " -p " + port
		if user != "" {
			cmd += " -U " + user
		}
		return fmt.Errorf("PostgreSQL database %q does not exist: create it with `%s %s` (or point DATABASE_URL at an existing one): %w", name, cmd, name, err)
	case errors.As(err, &pgErr) && pgErr.Code == "28P01", errors.As(err, &pgErr) && pgErr.Code == "28000":
		return fmt.Errorf("PostgreSQL refused user %q: check the user and password in DATABASE_URL: %w", user, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("no PostgreSQL answers at %s:%s: start it, or fix the host and port in DATABASE_URL: %w", host, port, err)
	}
	return err
}

// Migration is one embedded migration file.
type Migration struct {
	Version int64
	Path    string
}

// Migrations lists the embedded migrations of a dialect without opening a
// database, oldest first.
func Migrations(dialect string) ([]Migration, error) {
	entries, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || path.Ext(e.Name()) != ".sql" {
			continue
		}
		out = append(out, Migration{Version: v, Path: e.Name()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// SQLiteExists reports whether the file of a sqlite: URL exists; the CLI's
// read-only commands do not create a database they were asked to inspect.
func SQLiteExists(dbURL string) bool {
	p := SQLitePath(dbURL)
	if p == "" {
		return false
	}
	_, err := os.Stat(filepath.Clean(p))
	return err == nil
}
