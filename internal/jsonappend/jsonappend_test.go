package jsonappend

import (
	"encoding/json"
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
