package database

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The stored-form fast path reads exactly what the layouts read.
func TestTimestampParseStored(t *testing.T) {
	slow := func(v string) (time.Time, bool) {
		for _, l := range timestampLayouts {
			if t, err := time.Parse(l, strings.TrimSpace(v)); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
	inputs := []string{
		"2026-07-10 14:22:00", "2026-07-10 14:22:00.123", "2026-07-10 14:22:00.123456", "2026-07-10 14:22:00.123456789",
		"2026-07-10T14:22:00.5", "2024-02-29 23:59:59.999", "2000-02-29 00:00:00", "1900-02-29 00:00:00", "2026-02-29 00:00:00",
		"2026-04-31 00:00:00", "2026-13-01 00:00:00", "2026-00-10 00:00:00", "2026-07-00 00:00:00", "2026-07-10 24:00:00",
		"2026-07-10 23:60:00", "2026-07-10 23:59:60", "2026-07-10 14:22:00.", "2026-07-10 14:22:00.1234567890",
		"2026-07-10 14:22:00,123", "2026-07-10 14:22:00.12a", "2026-07-10 14:22:00.123+00:00", "2026-07-10 14:22:00.123Z",
		"2026-07-10T14:22:00.123Z", "2026-7-10 14:22:00", "2026-07-10 14:22", "20a6-07-10 14:22:00", "0001-01-01 00:00:00",
		"9999-12-31 23:59:59.999999999", " 2026-07-10 14:22:00", "2026-07-10 14:22:00 ", "",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		tt := time.Unix(rng.Int64N(253402300800), rng.Int64N(1e9)).UTC()
		inputs = append(inputs, tt.Format("2006-01-02 15:04:05.000"), tt.Format("2006-01-02 15:04:05.000000"), tt.Format("2006-01-02 15:04:05.999999999"))
	}
	for _, v := range inputs {
		want, wantOK := slow(v)
		var got Timestamp
		err := got.Scan(v)
		if (err == nil) != wantOK || !got.Time().Equal(want) || got.Time().Location() != time.UTC {
			t.Errorf("Scan(%q) = %v, %v; want %v, ok %v", v, got.Time(), err, want, wantOK)
		}
		if ft, ok := parseStored(v); ok && (!wantOK || !ft.Equal(want)) {
			t.Errorf("parseStored(%q) = %v, want %v, ok %v", v, ft, want, wantOK)
		}
	}
}
