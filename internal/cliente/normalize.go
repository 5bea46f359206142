package cliente

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize is the search form of a name: accents stripped (NFD, combining
// marks dropped), control characters dropped, lower-case, runs of white
// space folded into one space.
// The stored cli_nombre_norm and every search term go through it, so that
// "MARÍA  José" and "maria jose" meet.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.IsControl(r) && !unicode.IsSpace(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// escapeLike makes % and _ (and the escape character itself) literal in a
// LIKE pattern whose escape character is a backslash.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// prefixUpper is the smallest string above every string starting with p in
// byte order (the "C" collation on PostgreSQL, BINARY on SQLite), so that
// `x >= p AND x < prefixUpper(p)` is a prefix match an index can range-scan.
func prefixUpper(p string) string { return p + "\U0010FFFF" }
