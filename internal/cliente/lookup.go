package cliente

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Lookup finds customers the way a cashier asks ("¿su cédula?"): term is a
// cédula/RUC prefix, a customer code, a phone number or a name. Best match
// first: the exact identification, then the exact code, then phone numbers
// (cli_telefono or cli_celular, whole 10-digit numbers), then
// identifications starting with the digits, then names as Search finds them
// (accent-insensitive). Inactive customers are left out; at most
// SearchLimit results. Spaces, dots and dashes inside a number are ignored
// ("099 876-5432", "171234567-8").
func (s *Store) Lookup(ctx context.Context, term string) ([]Cliente, error) {
	term = strings.TrimSpace(term)
	out := []Cliente{}
	if term == "" || utf8.RuneCountInString(term) > 120 {
		return out, nil
	}
	seen := map[string]bool{}
	add := func(rows []Cliente) bool {
		for _, c := range rows {
			if len(out) == SearchLimit {
				return true
			}
			if !seen[c.Codigo] {
				seen[c.Codigo] = true
				out = append(out, c)
			}
		}
		return len(out) == SearchLimit
	}
	db := s.db.WithContext(ctx)
	if digits, ok := numberLike(term); ok && len(digits) <= 13 {
		// 1. The exact identification (the unique partial index).
		var exact []Cliente
		if err := db.Where(noInactivo+" AND cli_ruc_ced = ?", digits).Limit(1).Find(&exact).Error; err != nil {
			return nil, fmt.Errorf("lookup identification: %w", err)
		}
		add(exact)
		// 2. A whole phone number. Phones are exactly 10 digits, so shorter
		// or longer terms never ask. One query per column (an OR of the two
		// makes SQLite scan), without ORDER BY (with it the planners walk
		// the name index through every row); the few matches are sorted
		// here. Indexes on the two columns are proposed in
		// docs/performance.md; until a migration adds them, a scan.
		if len(digits) == 10 {
			var phones []Cliente
			for _, col := range []string{"cli_telefono", "cli_celular"} {
				var rows []Cliente
				err := db.Where(noInactivo+" AND "+col+" = ?", digits).Limit(searchCandidates).Find(&rows).Error
				if err != nil {
					return nil, fmt.Errorf("lookup phone: %w", err)
				}
				phones = append(phones, rows...)
			}
			sort.Slice(phones, func(i, j int) bool {
				if phones[i].NombreNorm != phones[j].NombreNorm {
					return phones[i].NombreNorm < phones[j].NombreNorm
				}
				return phones[i].Codigo < phones[j].Codigo
			})
			if add(phones) {
				return out, nil
			}
		}
		// 3. Identifications starting with the digits: a range on the same
		// index, read in order. The upper bound is the next number of the
		// same length ("1712" → "1713"), which sorts right in any collation.
		q := db.Where(noInactivo+" AND cli_ruc_ced >= ?", digits)
		if upper, ok := nextDigits(digits); ok {
			q = q.Where("cli_ruc_ced < ?", upper)
		}
		var prefix []Cliente
		if err := q.Order("cli_ruc_ced").Limit(SearchLimit + 1).Find(&prefix).Error; err != nil {
			return nil, fmt.Errorf("lookup identification prefix: %w", err)
		}
		if add(prefix) {
			return out, nil
		}
		// Then names with these digits in them (rare, but a name may
		// carry a number): step 5 below.
	} else if code := strings.ToUpper(term); ValidCodigo(code) {
		// 4. A customer code, in any case ("cli16691").
		c, err := s.ByCodigo(ctx, code)
		switch {
		case err == nil && c.Estado != EstadoInactivo:
			add([]Cliente{c})
		case err != nil && err != ErrNotFound:
			return nil, err
		}
	}
	// 5. Names.
	names, err := s.Search(ctx, term)
	if err != nil {
		return nil, err
	}
	add(names)
	return out, nil
}

// numberLike returns the digits of a term made of digits, spaces, dots and
// dashes (with at least one digit).
func numberLike(term string) (string, bool) {
	var b strings.Builder
	for _, r := range term {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// nextDigits is the smallest digit string of the same length above every
// string starting with d; false when d is all nines (no upper bound).
func nextDigits(d string) (string, bool) {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
