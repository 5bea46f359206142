package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxBodyBytes is the largest request body accepted anywhere.
const MaxBodyBytes = 1 << 20

// DecodeJSON reads the request body into dst, a pointer to a struct, one
// field at a time, so that every unknown property and every wrongly typed
// field is reported at once (as the Nest server's whitelist did). An empty
// body decodes as {} and leaves validation to say what is missing.
func DecodeJSON(r *http.Request, dst any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return TooLarge()
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeMalformed, Cause: err}
	}
	if len(body) > MaxBodyBytes {
		return TooLarge()
	}
	return DecodeJSONBytes(body, dst)
}

// TooLarge is the 413 for a body over MaxBodyBytes.
func TooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge}
}

// DecodeJSONBytes is DecodeJSON on an already read body (fuzz tests use it).
func DecodeJSONBytes(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return &Error{Status: http.StatusBadRequest, Code: CodeMalformed, Message: "El cuerpo de la solicitud no es UTF-8 válido"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return &Error{Status: http.StatusBadRequest, Code: CodeMalformed, Message: "El cuerpo de la solicitud debe ser un objeto JSON"}
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeMalformed}
	}
	if raw == nil { // the body was `null`
		return &Error{Status: http.StatusBadRequest, Code: CodeMalformed, Message: "El cuerpo de la solicitud debe ser un objeto JSON"}
	}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("decode: destination must be a pointer to a struct, got %T", dst)
	}
	if rec, ok := dst.(sentRecorder); ok {
		names := make(map[string]bool, len(raw))
		for k := range raw {
			names[k] = true
		}
		rec.recordSent(names)
	}
	_, lenient := dst.(Lenient)
	if problems := decodeObject(raw, v.Elem(), "", lenient); len(problems) > 0 {
		return Invalid(problems...)
	}
	return nil
}

// Lenient is a body whose unknown properties are ignored rather than
// refused (the Plain family's bodies, as the Ambrosia server read them:
// a user object sent back with its id and refreshToken is fine).
type Lenient interface{ Lenient() }

// decodeObject fills the struct v from raw one field at a time; prefix
// names nested fields as the Nest server's nested errors did
// ("detalles.0.cantidad"). Lists of objects are decoded element by element
// with the same strictness, so an unknown property inside a line is
// "la propiedad detalles.0.x no está permitida".
func decodeObject(raw map[string]json.RawMessage, v reflect.Value, prefix string, lenient bool) []Problem {
	var problems []Problem
	for _, f := range jsonFields(v.Type()) {
		msg, ok := raw[f.name]
		if !ok {
			continue
		}
		delete(raw, f.name)
		name := prefix + f.name
		field := v.FieldByIndex(f.index)
		target := field.Addr().Interface()
		if f.notNull && isNull(msg) {
			// validator cannot tell null from absent: the decoder can.
			problems = append(problems, Problem{name, RuleNull, name + " no debe estar vacío"})
			continue
		}
		if elem, isList := objectList(f.typ); isList && !isNull(msg) {
			problems = append(problems, decodeList(msg, field, elem, name, lenient)...)
			continue
		}
		if err := json.Unmarshal(msg, target); err != nil {
			problems = append(problems, Problem{name, RuleType, fmt.Sprintf("%s debe ser %s", name, kindName(f.typ))})
		} else if hasNUL(reflect.ValueOf(target)) {
			// PostgreSQL cannot store U+0000 in text: refuse it here, for
			// every family, rather than fail in the database with a 500.
			problems = append(problems, Problem{name, RuleNUL, fmt.Sprintf("%s no debe contener el carácter NUL", name)})
		}
	}
	if lenient {
		return problems
	}
	unknown := make([]string, 0, len(raw))
	for k := range raw {
		unknown = append(unknown, k)
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		name := truncate(prefix+k, 64)
		problems = append(problems, Problem{name, RuleUnknown, fmt.Sprintf("la propiedad %s no está permitida", name)})
	}
	return problems
}

// objectList reports whether t is a slice of plain structs (optionally
// behind a pointer), which decodeList handles element by element.
func objectList(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Slice {
		return nil, false
	}
	elem := t.Elem()
	if elem.Kind() != reflect.Struct || reflect.PointerTo(elem).Implements(jsonUnmarshaler) {
		return nil, false
	}
	return elem, true
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

func isNull(msg json.RawMessage) bool { return string(bytes.TrimSpace(msg)) == "null" }

// decodeList decodes a JSON array of objects into field (a slice, or a
// pointer to one).
func decodeList(msg json.RawMessage, field reflect.Value, elem reflect.Type, name string, lenient bool) []Problem {
	var items []json.RawMessage
	if err := json.Unmarshal(msg, &items); err != nil {
		return []Problem{{name, RuleType, name + " debe ser una lista"}}
	}
	list := reflect.MakeSlice(reflect.SliceOf(elem), len(items), len(items))
	var problems []Problem
	for i, item := range items {
		itemName := fmt.Sprintf("%s.%d", name, i)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(item, &obj); err != nil || obj == nil {
			problems = append(problems, Problem{itemName, RuleType, itemName + " debe ser un objeto"})
			continue
		}
		problems = append(problems, decodeObject(obj, list.Index(i), itemName+".", lenient)...)
	}
	if field.Kind() == reflect.Pointer {
		p := reflect.New(list.Type())
		p.Elem().Set(list)
		field.Set(p)
	} else {
		field.Set(list)
	}
	return problems
}

// hasNUL reports whether a decoded value holds a string with U+0000.
func hasNUL(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return strings.IndexByte(v.String(), 0) >= 0
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && hasNUL(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if hasNUL(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if hasNUL(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if hasNUL(iter.Key()) || hasNUL(iter.Value()) {
				return true
			}
		}
	}
	return false
}

type jsonField struct {
	name    string
	index   []int
	typ     reflect.Type
	notNull bool // validate tag holds notnull
}

// Sent, embedded in a body, records which top-level properties the request
// named, so that a PATCH tells an absent field from a given one (a JSON
// null and an absent field both leave a pointer nil).
type Sent struct{ names map[string]bool }

// Has reports whether the request named the property.
func (s Sent) Has(name string) bool { return s.names[name] }

func (s *Sent) recordSent(names map[string]bool) { s.names = names }

type sentRecorder interface{ recordSent(map[string]bool) }

// hasTag reports whether a validate tag lists rule before any dive.
func hasTag(validate, rule string) bool {
	for _, t := range strings.Split(validate, ",") {
		if t == "dive" {
			return false
		}
		if t == rule {
			return true
		}
	}
	return false
}

// jsonFields lists the JSON fields of struct type t in order; the fields of
// an embedded struct without a json name are t's own, as encoding/json has
// them (so a group of fields, such as persona's, is declared once).
func jsonFields(t reflect.Type) []jsonField {
	out := make([]jsonField, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if isEmbedded(sf) {
			for _, f := range jsonFields(sf.Type) {
				f.index = append([]int{i}, f.index...)
				out = append(out, f)
			}
			continue
		}
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, jsonField{name: name, index: []int{i}, typ: sf.Type, notNull: hasTag(sf.Tag.Get("validate"), RuleNull)})
	}
	return out
}

// isEmbedded: an exported embedded struct (not a pointer to one) with no
// json name, whose fields are promoted.
func isEmbedded(sf reflect.StructField) bool {
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	return sf.Anonymous && sf.IsExported() && name == "" && sf.Type.Kind() == reflect.Struct
}

// jsonKinder lets a field type name the JSON it expects (money.Amount:
// "un número").
type jsonKinder interface{ JSONKind() string }

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if k, ok := reflect.Zero(t).Interface().(jsonKinder); ok {
		return k.JSONKind()
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "un texto"
	case reflect.Bool:
		return "un booleano"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "un número entero"
	case reflect.Float32, reflect.Float64:
		return "un número"
	case reflect.Slice, reflect.Array:
		return "una lista"
	}
	return "un valor válido"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
