package httpapi

import (
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/jsonappend"
)

// TimeLayout is ISO 8601 in UTC with milliseconds, as the Nest server sent it.
const TimeLayout = jsonappend.TimeLayout

// FormatTime renders t as 2024-07-10T14:22:00.000Z.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Time marshals as FormatTime does; response structs use it for timestamps.
type Time time.Time

func (t Time) MarshalJSON() ([]byte, error) {
	return jsonappend.Time(make([]byte, 0, 26), time.Time(t)), nil
}

// NullableTime marshals a nil pointer as null.
type NullableTime = *Time

// TimePtr converts an optional time for a response.
func TimePtr(t *time.Time) *Time {
	if t == nil {
		return nil
	}
	v := Time(*t)
	return &v
}

// Date is a calendar date, serialised as "YYYY-MM-DD".
type Date time.Time

func (d Date) MarshalJSON() ([]byte, error) {
	return jsonappend.Date(make([]byte, 0, 12), time.Time(d)), nil
}

// ParseDate reads "YYYY-MM-DD" (a trailing time part, as some clients send
// from a date picker, is refused: a date is a date).
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
