package database

import (
	"fmt"
	"strings"
	"time"
)

// Timestamp is a timestamp column read from either driver: PostgreSQL hands
// over a time.Time, SQLite the text it keeps. It is always UTC.
type Timestamp time.Time

// Scan reads a timestamp as the PostgreSQL or SQLite driver hands it over.
func (s *Timestamp) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s = Timestamp(v.UTC())
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	}
	return fmt.Errorf("database: cannot scan %T into a timestamp", src)
}

var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
}

func (s *Timestamp) parse(v string) error {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(v)); err == nil {
			*s = Timestamp(t.UTC())
			return nil
		}
	}
	return fmt.Errorf("database: unreadable timestamp %q", v)
}

// Time returns the instant.
func (s Timestamp) Time() time.Time { return time.Time(s) }

// Now is the instant a write records: UTC, at PostgreSQL's precision
// (microseconds), so what is written is what is read back.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// NowSQL is the SQL for the current instant in the stored form of each
// database (SQLite keeps DATETIME text with milliseconds, as its column
// defaults do).
func (db *DB) NowSQL() string {
	if db.IsPostgres() {
		return "now()"
	}
	return "strftime('%Y-%m-%d %H:%M:%f', 'now')"
}

// Time is the value to bind for an instant written to a timestamp column:
// PostgreSQL gets the time itself; SQLite, which compares timestamps as
// text, gets the shape of the columns' defaults (UTC, no zone).
func (db *DB) Time(t time.Time) any {
	if db.IsPostgres() {
		return t.UTC()
	}
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}

// Bound is the value to bind for a range boundary compared with a
// timestamp column (fecha >= :t0 AND fecha < :t1). On SQLite it is the
// text up to whole seconds: a stored "… 04:00:00.000" sorts after the
// bound "… 04:00:00", so the boundary instant itself is inside [t0, t1)
// whatever the stored fraction's width. Boundaries are whole seconds
// (local midnights).
func (db *DB) Bound(t time.Time) any {
	if db.IsPostgres() {
		return t.UTC()
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
