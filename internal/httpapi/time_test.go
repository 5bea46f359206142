package httpapi

import (
	"testing"
	"time"
)

// Time and Date marshal through jsonappend: the same text as the layouts.
func TestTimeAndDateMarshal(t *testing.T) {
	for _, tt := range []time.Time{time.Date(2026, 7, 10, 14, 22, 0, 999_999_999, time.FixedZone("BOT", -4*3600)), {}, time.Date(12026, 1, 2, 3, 4, 5, 0, time.UTC)} {
		got, _ := Time(tt).MarshalJSON()
		if want := `"` + FormatTime(tt) + `"`; string(got) != want {
			t.Errorf("Time %v: %s, want %s", tt, got, want)
		}
		got, _ = Date(tt).MarshalJSON()
		if want := `"` + tt.UTC().Format(time.DateOnly) + `"`; string(got) != want {
			t.Errorf("Date %v: %s, want %s", tt, got, want)
		}
	}
}
