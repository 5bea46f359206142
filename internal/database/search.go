package database

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SearchForm is the search form of a name: accents stripped (NFD, combining
// marks dropped), control characters dropped, lower-case, runs of white
// space folded into one space.
// The stored cli_nombre_norm and producto.nombre_norm, and every search
// term, go through it, so that
// "MARÍA  José" and "maria jose" meet.
func SearchForm(s string) string {
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

// EscapeLike makes % and _ (and the escape character itself) literal in a
// LIKE pattern whose escape character is a backslash.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
