package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"

	"github.com/kantuta/kantuta/internal/money"
)

// Validator wraps go-playground/validator with Spanish messages named after
// the JSON fields, listing every failing field at once.
type Validator struct {
	v         *validator.Validate
	messages  map[string]string // tag → format with %[1]s field, %[2]s param
	overrides map[string]string // "field.tag" → message
}

// NewValidator builds a validator with the shared rules and messages.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if isEmbedded(f) {
			return embedded // its fields are the body's own: fieldPath drops it
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	val := &Validator{v: v, messages: map[string]string{
		"required":        "%[1]s es requerido",
		"email":           "%[1]s debe ser un correo válido",
		"max":             "%[1]s debe tener como máximo %[2]s caracteres",
		"min":             "%[1]s debe tener al menos %[2]s caracteres",
		"len":             "%[1]s debe tener %[2]s caracteres",
		"oneof":           "%[1]s debe ser uno de: %[2]s",
		"numeric":         "%[1]s debe ser numérico",
		"number":          "%[1]s debe ser numérico",
		"uuid":            "%[1]s debe ser un UUID válido",
		"gt":              "%[1]s debe ser mayor que %[2]s",
		"gte":             "%[1]s debe ser mayor o igual que %[2]s",
		"lt":              "%[1]s debe ser menor que %[2]s",
		"lte":             "%[1]s debe ser menor o igual que %[2]s",
		"maxbytes":        "%[1]s debe tener como máximo %[2]s bytes",
		"minbytes":        "%[1]s debe tener al menos %[2]s bytes",
		"notblank":        "%[1]s no debe estar vacío",
		"nocontrol":       "%[1]s no debe contener saltos de línea ni caracteres de control",
		"filled":          "%[1]s es requerido",
		"required_create": "%[1]s es requerido",
	}, overrides: map[string]string{}}
	val.Rule("maxbytes", func(fl validator.FieldLevel) bool {
		return len(fl.Field().String()) <= atoi(fl.Param())
	}, "")
	val.Rule("minbytes", func(fl validator.FieldLevel) bool {
		return len(fl.Field().String()) >= atoi(fl.Param())
	}, "")
	val.Rule("notblank", func(fl validator.FieldLevel) bool {
		return strings.TrimSpace(fl.Field().String()) != ""
	}, "")
	val.Rule("nocontrol", func(fl validator.FieldLevel) bool {
		return !HasControl(fl.Field().String())
	}, "")
	// filled: given (a nil pointer fails it as the first tag) and not "".
	val.Rule("filled", func(fl validator.FieldLevel) bool {
		return fl.Field().String() != ""
	}, "")
	// notnull: a JSON null is refused; the decoder checks it (a nil
	// pointer here may as well be an absent field), so the rule passes.
	if err := v.RegisterValidation(RuleNull, func(validator.FieldLevel) bool { return true }, true); err != nil {
		panic(err)
	}
	// required_create: filled when the body creates a record (see Creator);
	// on an update an absent field is left as it is.
	if err := v.RegisterValidation("required_create", func(fl validator.FieldLevel) bool {
		f := fl.Field()
		if f.Kind() == reflect.Pointer {
			if !f.IsNil() {
				return f.Elem().String() != "" || !creates(fl.Top())
			}
			return !creates(fl.Top())
		}
		return f.String() != "" || !creates(fl.Top())
	}, true); err != nil {
		panic(err)
	}
	val.moneyRules()
	return val
}

// moneyRules check money.Amount fields (JSON numbers kept as text):
// "money" = a number with at most 2 decimals within NUMERIC(12,2);
// "mmin=0.10" and "mmax=1000000" bound it. A malformed amount fails
// "money" only, so each field gets one message.
func (val *Validator) moneyRules() {
	val.Rule("money", func(fl validator.FieldLevel) bool {
		_, err := money.Parse(fl.Field().String())
		return err == nil
	}, "")
	bound := func(fl validator.FieldLevel, ok func(v, limit money.Cents) bool) bool {
		v, err := money.Parse(fl.Field().String())
		if err != nil {
			return true // "money" reports it
		}
		limit, err := money.Parse(fl.Param())
		if err != nil {
			panic(fmt.Sprintf("money bound %q: %v", fl.Param(), err)) // programming error
		}
		return ok(v, limit)
	}
	val.Rule("mmin", func(fl validator.FieldLevel) bool {
		return bound(fl, func(v, l money.Cents) bool { return v >= l })
	}, "%[1]s no debe ser menor que %[2]s")
	val.Rule("mmax", func(fl validator.FieldLevel) bool {
		return bound(fl, func(v, l money.Cents) bool { return v <= l })
	}, "%[1]s no debe ser mayor que %[2]s")
}

// moneyMessage words a failed "money" rule by what is wrong with it.
func moneyMessage(field, raw string) string {
	switch _, err := money.Parse(raw); err {
	case money.ErrDecimals:
		return field + " debe tener como máximo 2 decimales"
	case money.ErrRange:
		return field + " no debe ser mayor que 9999999999.99"
	}
	return field + " debe ser un número"
}

// Rule registers a custom validation tag; message may use %[1]s (field) and
// %[2]s (param); empty keeps any message already known for the tag.
func (val *Validator) Rule(tag string, fn validator.Func, message string) {
	if err := val.v.RegisterValidation(tag, fn); err != nil {
		panic(fmt.Sprintf("register validation %q: %v", tag, err)) // programming error at start-up
	}
	if message != "" {
		val.messages[tag] = message
	}
}

// Message overrides the message for one field and tag ("cli_nombre.max",
// or a decoder rule: "name.type"); "detalles.*.cantidad.min" applies to every line of a list, and a "*" in
// the message is replaced by the line's path.
func (val *Validator) Message(fieldTag, message string) { val.overrides[fieldTag] = message }

// Creator is a body that says whether it creates a record: then the
// fields tagged required_create must be given (a type used for both POST
// and PUT says which it is in an unexported field).
type Creator interface{ Creates() bool }

func creates(top reflect.Value) bool {
	c, ok := top.Interface().(Creator)
	return ok && c.Creates()
}

// Normalizer is a body that tidies itself (trims, upper-cases) after
// decoding and before validation.
type Normalizer interface{ Normalize() }

// FieldOrdered is a body whose problems Bind lists in the order of its
// top-level fields, the decoder's and the rules' together (unknown
// properties last), as the inventario bodies answer; other bodies list the
// rules' problems first, then the decoder's.
type FieldOrdered interface{ FieldOrdered() }

// embedded names an embedded struct in validator's namespaces.
const embedded = "\x00embedded"

// HasControl reports whether s holds a control character (C0, DEL or C1:
// NUL and friends, which no name or address carries and PostgreSQL
// refuses). Every family checks text with it (the nocontrol rule).
func HasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }

// Check validates s and returns every failure as a Validation *Error, or nil.
func (val *Validator) Check(s any) error {
	if problems := val.Problems(s); len(problems) > 0 {
		return Invalid(problems...)
	}
	return nil
}

// Bind decodes the request body into dst (a pointer to a struct),
// normalizes it (Normalizer) and validates it, reporting the validation
// failures and the unknown or wrongly typed fields together in one 400, as
// SPEC §5 asks ("every failing field"). A body that is unusable as a whole
// (malformed JSON, too large) is its own error.
func (val *Validator) Bind(r *http.Request, dst any) error {
	var decoded []Problem
	if err := DecodeJSON(r, dst); err != nil {
		e := AsError(err)
		if e.Code != CodeValidation {
			return err
		}
		decoded = e.Problems
		for i, p := range decoded { // "name.type": the family's own words
			if m, ok := val.overrides[p.Field+"."+p.Rule]; ok {
				decoded[i].Message = m
			}
		}
	}
	if n, ok := dst.(Normalizer); ok {
		n.Normalize()
	}
	// A field the decoder refused (wrong type, NUL) is said once, as the
	// decoder said it: what the rules think of its leftover is noise.
	mistyped := map[string]bool{}
	for _, p := range decoded {
		if p.Rule != RuleUnknown {
			mistyped[p.Field] = true
		}
	}
	var problems []Problem
	for _, p := range val.Problems(dst) {
		if !mistypedPath(mistyped, p.Field) {
			problems = append(problems, p)
		}
	}
	problems = append(problems, decoded...)
	if len(problems) == 0 {
		return nil
	}
	if _, ok := dst.(FieldOrdered); ok {
		sortByField(problems, dst)
	}
	return Invalid(problems...)
}

// sortByField orders problems by the position of their top-level field in
// dst (stable: a field's own problems keep their order); unknown
// properties go last.
func sortByField(problems []Problem, dst any) {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	order := map[string]int{}
	for i, f := range jsonFields(t) {
		order[f.name] = i
	}
	rank := func(p Problem) int {
		top, _, _ := strings.Cut(p.Field, ".")
		if i, ok := order[top]; ok && p.Rule != RuleUnknown {
			return i
		}
		return len(order)
	}
	sort.SliceStable(problems, func(i, j int) bool { return rank(problems[i]) < rank(problems[j]) })
}

// mistypedPath: name or one of its parents ("detalles.0" of
// "detalles.0.cantidad") was already reported as wrongly typed.
func mistypedPath(mistyped map[string]bool, name string) bool {
	for {
		if mistyped[name] {
			return true
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return false
		}
		name = name[:i]
	}
}

// Problems returns the failures of s, one per field, in field order.
func (val *Validator) Problems(s any) []Problem {
	err := val.v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return []Problem{{Rule: "invalid", Message: "datos inválidos"}}
	}
	seen := map[string]bool{}
	var out []Problem
	for _, fe := range verrs {
		field := fieldPath(fe.Namespace())
		if seen[field] {
			continue // one message per field keeps the list readable
		}
		seen[field] = true
		out = append(out, Problem{Field: field, Rule: fe.Tag(), Message: val.message(field, fe)})
	}
	return out
}

func (val *Validator) message(field string, fe validator.FieldError) string {
	for _, key := range []string{field + "." + fe.Tag(), field, anyIndex(field) + "." + fe.Tag(), anyIndex(field)} {
		if m, ok := val.overrides[key]; ok {
			return strings.ReplaceAll(m, anyIndex(field), field)
		}
	}
	if fe.Tag() == "money" {
		return moneyMessage(field, fmt.Sprint(fe.Value()))
	}
	format, ok := val.messages[fe.Tag()]
	if !ok {
		return field + " no es válido"
	}
	param := fe.Param()
	if fe.Tag() == "oneof" {
		param = strings.ReplaceAll(param, " ", ", ")
	}
	if (fe.Tag() == "max" || fe.Tag() == "min") && (fe.Kind() == reflect.Slice || fe.Kind() == reflect.Array) {
		unit := " elementos"
		if param == "1" {
			unit = " elemento"
		}
		if fe.Tag() == "max" {
			return field + " debe contener como máximo " + param + unit
		}
		return field + " debe contener al menos " + param + unit
	}
	if (fe.Tag() == "max" || fe.Tag() == "min") && fe.Kind() != reflect.String {
		if fe.Tag() == "max" {
			return fmt.Sprintf("%s no debe ser mayor que %s", field, param)
		}
		return fmt.Sprintf("%s no debe ser menor que %s", field, param)
	}
	return fmt.Sprintf(format, field, param)
}

// fieldPath turns validator's namespace ("body.detalles[0].cantidad", with
// JSON names) into the wire's field path "detalles.0.cantidad".
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		ns = rest
	}
	ns = strings.ReplaceAll(ns, embedded+".", "")
	ns = strings.ReplaceAll(ns, "[", ".")
	return strings.ReplaceAll(ns, "]", "")
}

// anyIndex writes a path's list indices as "*" ("detalles.*.cantidad"), the
// form Message accepts for every line of a list.
func anyIndex(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, ".")
}

// atoi reads a rule's numeric parameter (a malformed one is 0).
func atoi(p string) int {
	n, _ := strconv.Atoi(p)
	return n
}
