package jsonappend

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

func TestStringMatchesEncodingJSON(t *testing.T) {
	cases := []string{"", "plain", `quo"te`, `back\slash`, "<b>&amp;</b>", "tab\tnl\ncr\r", "\b\f\x00\x1f\x7f",
		"ñandú Ñ á", "line\u2028para\u2029", "bad\xffutf8\xc3", "emoji 🧉", "\xed\xa0\x80"}
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestTimeAndDate(t *testing.T) {
	la, _ := time.LoadLocation("America/La_Paz")
	cases := []struct {
		t          time.Time
		time, date string
	}{
		{time.Date(2026, 7, 10, 14, 22, 0, 999_999_999, time.UTC), `"2026-07-10T14:22:00.999Z"`, `"2026-07-10"`},
		{time.Date(2026, 12, 31, 21, 0, 0, 1_000_000, la), `"2027-01-01T01:00:00.001Z"`, `"2027-01-01"`},
		{time.Date(999, 1, 2, 3, 4, 5, 0, time.UTC), `"0999-01-02T03:04:05.000Z"`, `"0999-01-02"`},
		{time.Time{}, `"0001-01-01T00:00:00.000Z"`, `"0001-01-01"`},
	}
	for _, c := range cases {
		if got := string(Time(nil, c.t)); got != c.time {
			t.Errorf("Time(%v) = %s, want %s", c.t, got, c.time)
		}
		if got := string(Date(nil, c.t)); got != c.date {
			t.Errorf("Date(%v) = %s, want %s", c.t, got, c.date)
		}
	}
}

func TestScalars(t *testing.T) {
	n, s := int64(-42), "x"
	got := string(Bool(nil, true)) + string(Bool(nil, false)) + string(IntPtr(nil, nil)) + string(IntPtr(nil, &n)) +
		string(StringPtr(nil, nil)) + string(StringPtr(nil, &s)) + string(Int(nil, 7))
	if want := `truefalsenull-42null"x"7`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// Time matches the layout's formatting at every day boundary around its
// fast path's limits and leap days, and at instants spread over years 1 to
// 12,000.
func TestTimeMatchesFormat(t *testing.T) {
	for _, tt := range []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.FixedZone("BOT", -4*3600)), time.Date(12026, 1, 2, 3, 4, 5, 6e6, time.UTC)} {
		want, _ := json.Marshal(tt.UTC().Format(TimeLayout))
		if got := Time(nil, tt); string(got) != string(want) {
			t.Errorf("Time(%v) = %s, want %s", tt, got, want)
		}
	}
	// Every day boundary around the fast path's limits and leap days, and
	// instants spread over years 1 to 12,000.
	var times []time.Time
	for _, d := range []time.Time{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)} {
		for _, off := range []time.Duration{-24 * time.Hour, -time.Millisecond, -time.Nanosecond, 0, time.Millisecond, 24 * time.Hour} {
			times = append(times, d.Add(off))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for range 100_000 {
		times = append(times, time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9)))
	}
	for _, tt := range times {
		want, _ := json.Marshal(tt.UTC().Format(TimeLayout))
		if got := Time(nil, tt); string(got) != string(want) {
			t.Fatalf("Time(%v) = %s, want %s", tt, got, want)
		}
	}
}

// Every byte, alone and next to multi-byte runes, escapes as encoding/json
// escapes it.
func TestStringEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		for _, s := range []string{string([]byte{byte(c)}), "añ" + string([]byte{byte(c)}) + "\u2028x", string([]byte{byte(c), 0xa9})} {
			want, _ := json.Marshal(s)
			if got := String(nil, s); string(got) != string(want) {
				t.Errorf("String(%q) = %s, want %s", s, got, want)
			}
		}
	}
}
