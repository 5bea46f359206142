package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

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
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	val := &Validator{v: v, messages: map[string]string{
		"required":  "%[1]s es requerido",
		"email":     "%[1]s debe ser un correo válido",
		"max":       "%[1]s debe tener como máximo %[2]s caracteres",
		"min":       "%[1]s debe tener al menos %[2]s caracteres",
		"len":       "%[1]s debe tener %[2]s caracteres",
		"oneof":     "%[1]s debe ser uno de: %[2]s",
		"numeric":   "%[1]s debe ser numérico",
		"number":    "%[1]s debe ser numérico",
		"uuid":      "%[1]s debe ser un UUID válido",
		"gt":        "%[1]s debe ser mayor que %[2]s",
		"gte":       "%[1]s debe ser mayor o igual que %[2]s",
		"lt":        "%[1]s debe ser menor que %[2]s",
		"lte":       "%[1]s debe ser menor o igual que %[2]s",
		"maxbytes":  "%[1]s debe tener como máximo %[2]s bytes",
		"minbytes":  "%[1]s debe tener al menos %[2]s bytes",
		"notblank":  "%[1]s no debe estar vacío",
		"nocontrol": "%[1]s no debe contener saltos de línea ni caracteres de control",
	}, overrides: map[string]string{}}
	val.Rule("maxbytes", func(fl validator.FieldLevel) bool {
		return len(fl.Field().String()) <= paramInt(fl.Param())
	}, "")
	val.Rule("minbytes", func(fl validator.FieldLevel) bool {
		return len(fl.Field().String()) >= paramInt(fl.Param())
	}, "")
	val.Rule("notblank", func(fl validator.FieldLevel) bool {
		return strings.TrimSpace(fl.Field().String()) != ""
	}, "")
	val.Rule("nocontrol", func(fl validator.FieldLevel) bool {
		return !strings.ContainsFunc(fl.Field().String(), func(r rune) bool { return r < 0x20 || r == 0x7f })
	}, "")
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

// Message overrides the message for one field and tag ("cli_nombre.max");
// "detalles.*.cantidad.min" applies to every line of a list, and a "*" in
// the message is replaced by the line's path.
func (val *Validator) Message(fieldTag, message string) { val.overrides[fieldTag] = message }

// Check validates s and returns every failure as a Validation *Error, or nil.
func (val *Validator) Check(s any) error {
	msgs := val.Messages(s)
	if len(msgs) == 0 {
		return nil
	}
	return Validation(msgs...)
}

// Bind decodes the request body into dst (a pointer to a struct) and
// validates it, reporting the validation failures and the unknown or
// wrongly typed fields together in one 400, as SPEC §5 asks ("every
// failing field"). A body that is unusable as a whole (malformed JSON,
// too large) is its own error.
func (val *Validator) Bind(r *http.Request, dst any) error {
	decodeMsgs, err := DecodeFields(r, dst)
	if err != nil {
		return err
	}
	// A wrongly typed field was left empty: say it once, as a type error.
	mistyped := map[string]bool{}
	for _, m := range decodeMsgs {
		if name, _, ok := strings.Cut(m, " debe ser "); ok {
			mistyped[name] = true
		}
	}
	var msgs []string
	for _, m := range val.Messages(dst) {
		if name, _, _ := strings.Cut(m, " "); !mistypedPath(mistyped, name) {
			msgs = append(msgs, m)
		}
	}
	if msgs = append(msgs, decodeMsgs...); len(msgs) > 0 {
		return Validation(msgs...)
	}
	return nil
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

// Messages returns the failure messages of s, one per field, in field order.
func (val *Validator) Messages(s any) []string {
	err := val.v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return []string{"datos inválidos"}
	}
	seen := map[string]bool{}
	var out []string
	for _, fe := range verrs {
		field := fieldPath(fe.Namespace())
		if seen[field] {
			continue // one message per field keeps the list readable
		}
		seen[field] = true
		out = append(out, val.message(field, fe))
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

func paramInt(p string) int {
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
