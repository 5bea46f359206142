// Package money holds amounts exactly, as integer centavos. Nothing here
// uses floating point: the wire's decimal text is parsed and printed digit
// by digit.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Cents is an amount of money in centavos (1/100 of a boliviano or dollar).
type Cents int64

// Max is the largest amount a NUMERIC(12,2) column holds: 9 999 999 999.99.
const Max Cents = 999_999_999_999

// Parse errors; callers turn them into field messages.
var (
	ErrSyntax   = errors.New("not a decimal number")
	ErrDecimals = errors.New("more than 2 decimals")
	ErrRange    = errors.New("out of range")
)

// Parse reads a decimal such as "12", "12.5", "-0.50" or "1e2" (JSON
// numbers may carry an exponent) with at most two decimals.
func Parse(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > 20 || e < -20 {
			return 0, ErrSyntax
		}
		mant, exp = s[:i], e
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, ErrSyntax
	}
	// Shift the decimal point by the exponent, in text.
	digits := intPart + frac
	point := len(intPart) + exp
	for point < 0 {
		digits, point = "0"+digits, point+1
	}
	for point > len(digits) {
		digits += "0"
	}
	whole, decimals := strings.TrimLeft(digits[:point], "0"), strings.TrimRight(digits[point:], "0")
	if len(decimals) > 2 {
		return 0, ErrDecimals
	}
	if len(whole) > 13 {
		return 0, ErrRange
	}
	decimals += strings.Repeat("0", 2-len(decimals))
	n, err := strconv.ParseInt(whole+decimals, 10, 64)
	if whole == "" {
		n, err = strconv.ParseInt(decimals, 10, 64)
	}
	if err != nil {
		return 0, ErrRange
	}
	if neg {
		n = -n
	}
	return Cents(n), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String prints the amount with exactly two decimals: "85.50", "-0.50".
func (c Cents) String() string { return string(c.appendDecimal(make([]byte, 0, 16))) }

// appendDecimal appends the amount with exactly two decimals, the one
// formatting behind String, MarshalJSON and AppendJSON.
func (c Cents) appendDecimal(b []byte) []byte {
	n := int64(c)
	if n < 0 {
		b, n = append(b, '-'), -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	return append(b, '.', byte('0'+n%100/10), byte('0'+n%10))
}

// MarshalJSON answers a two-decimal string, as the Nest server's GETs did
// (node-postgres returns NUMERIC as text): "85.50".
func (c Cents) MarshalJSON() ([]byte, error) { return c.AppendJSON(make([]byte, 0, 18)), nil }

// AppendJSON appends what MarshalJSON answers (answers written by hand,
// jsonappend).
func (c Cents) AppendJSON(b []byte) []byte {
	b = append(b, '"')
	return append(c.appendDecimal(b), '"')
}

// Number is an amount answered as a JSON number (the reports' figures,
// which the frontend's PDFs call toFixed on): 55, 12.5, -0.5.
type Number Cents

// MarshalJSON prints the shortest exact decimal: 55, 12.5, 0.05.
func (n Number) MarshalJSON() ([]byte, error) {
	s := Cents(n).String()
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	return []byte(s), nil
}

// Mul multiplies by a quantity; ok is false when the product overflows Max.
func (c Cents) Mul(q int64) (Cents, bool) {
	if q != 0 && (int64(c) > int64(Max)/abs(q) || int64(c) < -int64(Max)/abs(q)) {
		return 0, false
	}
	return Cents(int64(c) * q), true
}

// Percent is c × p / 100 where p is a percentage in hundredths (12.50% =
// 1250), rounded half up to the centavo.
func (c Cents) Percent(p int64) Cents {
	num := int64(c) * p // centavos × hundredths of a percent = 1/10000 centavo
	if num >= 0 {
		return Cents((num + 5000) / 10000)
	}
	return -Cents((-num + 5000) / 10000)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
