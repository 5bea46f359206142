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

// TimeLayout is the wire form of an instant (httpapi.TimeLayout): ISO 8601
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

// Time appends t in TimeLayout, quoted, digit by digit: time.AppendFormat
// was a fifth of a long list's cost.
func Time(b []byte, t time.Time) []byte {
	u := t.UTC()
	year, month, day := u.Date()
	if year < 1000 || year > 9999 {
		b = append(b, '"')
		b = u.AppendFormat(b, TimeLayout)
		return append(b, '"')
	}
	hour, min, sec := u.Clock()
	ms := u.Nanosecond() / 1e6
	return append(b, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
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

// String appends s as encoding/json does by default: HTML characters,
// control characters, U+2028/U+2029 escaped; invalid UTF-8 as U+FFFD.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
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
