package inventario

import "strings"

// inOrder, embedded in every inventario body, has Bind list its problems in
// the order of the body's fields (httpapi.FieldOrdered), as SPEC §12.2's
// answers do. Each body trims its texts in Normalize, and tags notnull the
// fields a JSON null may not blank ("<campo> no debe estar vacío").
type inOrder struct{}

func (inOrder) FieldOrdered() {}

// trimPtr trims *s in place.
func trimPtr(s *string) {
	if s != nil {
		*s = strings.TrimSpace(*s)
	}
}
