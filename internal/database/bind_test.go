package database

import "testing"

// bind numbers placeholders for PostgreSQL, not inside quoted literals, and
// leaves SQLite's text alone.
func TestBind(t *testing.T) {
	pg, lite := &DB{Dialect: Postgres}, &DB{Dialect: SQLite}
	for _, c := range []struct{ in, pg string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT ? + ?", "SELECT $1 + $2"},
		{"UPDATE t SET a = ? WHERE b = '?' AND c = ?", "UPDATE t SET a = $1 WHERE b = '?' AND c = $2"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"WITH v AS (INSERT INTO x VALUES (?) RETURNING id) SELECT (SELECT id FROM v), ?", "WITH v AS (INSERT INTO x VALUES ($1) RETURNING id) SELECT (SELECT id FROM v), $2"},
	} {
		for i := 0; i < 2; i++ { // the second time from the cache
			if got := pg.bind(c.in); got != c.pg {
				t.Errorf("postgres bind(%q) = %q, want %q", c.in, got, c.pg)
			}
		}
		if got := lite.bind(c.in); got != c.in {
			t.Errorf("sqlite bind(%q) = %q", c.in, got)
		}
	}
}
