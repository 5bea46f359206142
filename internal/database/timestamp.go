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
	if t, ok := parseStored(v); ok {
		*s = Timestamp(t)
		return nil
	}
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(v)); err == nil {
			*s = Timestamp(t.UTC())
			return nil
		}
	}
	return fmt.Errorf("database: unreadable timestamp %q", v)
}

// parseStored reads the form SQLite's column defaults and db.Time store,
// "2006-01-02 15:04:05" with an optional fraction of 1 to 9 digits, UTC,
// without time.Parse, which tries layouts in turn (long product lists read
// two timestamps a row); anything else, or an impossible date, is left to
// the layouts.
func parseStored(v string) (time.Time, bool) {
	if len(v) < 19 || v[4] != '-' || v[7] != '-' || (v[10] != ' ' && v[10] != 'T') || v[13] != ':' || v[16] != ':' {
		return time.Time{}, false
	}
	ok := true
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i] - '0'
			if c > 9 {
				ok = false
			}
			n = n*10 + int(c)
		}
		return n
	}
	year, month, day := num(v[0:4]), num(v[5:7]), num(v[8:10])
	hour, minute, sec := num(v[11:13]), num(v[14:16]), num(v[17:19])
	nsec := 0
	if frac := v[19:]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		nsec = num(frac[1:])
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	if !ok || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
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
