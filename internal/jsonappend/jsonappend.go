// Package jsonappend writes JSON values into a byte slice, byte for byte
// as encoding/json writes them, without reflection. The hottest answers
// (the usuario list, the product list) are written with it: encoding/json
// spent most of their time on reflection and on re-compacting what the
// Time marshalers return. Each type that uses it keeps a test comparing its
// bytes with encoding/json's.
package jsonappend

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// TimeLayout is the wire form of an instant: ISO 8601
// in UTC with milliseconds, as the Nest server sent it.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Appender is a value that writes its own JSON.
type Appender interface {
	AppendJSON(b []byte) []byte
}

// Bool appends true or false.
func Bool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// Int appends n.
func Int(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// IntPtr appends *n, or null.
func IntPtr(b []byte, n *int64) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *n, 10)
}

// StringPtr appends *s as a string, or null.
func StringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return String(b, *s)
}

// The instants Time writes itself, in Unix seconds: from
// 1000-01-01 to the end of 9999 (four-digit years).
const (
	minTimeSec = -30_610_224_000
	endTimeSec = 253_402_300_800
)

// Time appends u in TimeLayout ("2026-07-10T14:22:00.000Z"), quoted, digit
// by digit: time.AppendFormat was a fifth of the list's cost, and
// Date/Clock/Nanosecond each re-derived the instant (a tenth of it). The
// date is Howard Hinnant's days-to-civil: every year counted from 0000-03-01,
// so leap days fall at the ends of years.
func Time(b []byte, u time.Time) []byte {
	secs := u.Unix()
	if secs < minTimeSec || secs >= endTimeSec {
		b = append(b, '"')
		b = u.UTC().AppendFormat(b, TimeLayout)
		return append(b, '"')
	}
	// Unsigned from here on (every value is positive): cheaper divisions.
	secs -= minTimeSec
	days, sod := uint32(secs/86400), uint32(secs%86400)
	z := days + 365_183 // days since 0000-03-01 (1000-01-01 is day 365,183)
	era := z / 146_097  // 400-year cycles
	doe := z - era*146_097
	yoe := (doe - doe/1460 + doe/36_524 - doe/146_096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100) // from March 1st
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month, year := mp+3, yoe+era*400
	if month > 12 {
		month, year = month-12, year+1
	}
	hour, min, sec := sod/3600, sod/60%60, sod%60
	ms := uint32(u.Nanosecond() / 1e6)
	return append(b, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

// Date appends t's UTC calendar date as "YYYY-MM-DD".
func Date(b []byte, t time.Time) []byte {
	u := t.UTC()
	year, month, day := u.Date()
	if year < 1000 || year > 9999 {
		b = append(b, '"')
		b = u.AppendFormat(b, time.DateOnly)
		return append(b, '"')
	}
	return append(b, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), '"')
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the bytes encoding/json copies as they are: ASCII from
// space up, but for '"', '\\' and the HTML characters. One table look-up
// per byte instead of six comparisons: names are most of the list's bytes.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// String appends s as encoding/json does by default: HTML characters,
// control characters, U+2028/U+2029 escaped; invalid UTF-8 as U+FFFD.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
