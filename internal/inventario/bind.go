package inventario

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// trimmer bodies trim their texts after decoding, before validation
// (SPEC §12.2: "trimmed").
type trimmer interface{ trim() }

// bind is the one decode+validate path (httpapi.Validator) plus two things
// SPEC §12.2 asks of these bodies: texts are trimmed before they are
// validated, and a JSON null for a field not listed in nullable is
// "<campo> no debe estar vacío" (a PATCH could not tell null from absent
// otherwise). Messages come in the body struct's field order.
func bind(v *httpapi.Validator, r *http.Request, dst any, nullable ...string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return httpapi.TooLarge()
		}
		return &httpapi.Error{Status: http.StatusBadRequest, Code: httpapi.CodeMalformed, Cause: err}
	}
	if len(body) > httpapi.MaxBodyBytes {
		return httpapi.TooLarge()
	}
	var decodeMsgs []string
	if err := httpapi.DecodeJSONBytes(body, dst); err != nil {
		e := httpapi.AsError(err)
		if e.Code != httpapi.CodeValidation {
			return err
		}
		decodeMsgs = e.Messages
	}
	order := fieldOrder(dst)
	nulls := map[string]bool{}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) == nil {
		allowed := map[string]bool{}
		for _, n := range nullable {
			allowed[n] = true
		}
		for k, m := range raw {
			if _, known := order[k]; known && !allowed[k] && string(bytes.TrimSpace(m)) == "null" {
				nulls[k] = true
			}
		}
	}
	if p, ok := dst.(interface{ setPresent(map[string]bool) }); ok {
		sent := make(map[string]bool, len(raw))
		for k := range raw {
			sent[k] = true
		}
		p.setPresent(sent)
	}
	if t, ok := dst.(trimmer); ok {
		t.trim()
	}
	skip := map[string]bool{}
	for _, m := range decodeMsgs {
		if name, _, ok := strings.Cut(m, " debe ser "); ok {
			skip[name] = true
		}
	}
	for n := range nulls {
		skip[n] = true
	}
	var msgs []string
	for _, p := range v.Problems(dst) {
		if !skipped(skip, p.Field) {
			msgs = append(msgs, p.Message)
		}
	}
	msgs = append(msgs, decodeMsgs...)
	for n := range nulls {
		msgs = append(msgs, n+" no debe estar vacío")
	}
	if len(msgs) == 0 {
		return nil
	}
	sort.SliceStable(msgs, func(i, j int) bool { return rank(order, msgs[i]) < rank(order, msgs[j]) })
	return httpapi.Validation(msgs...)
}

// skipped: name or one of its parents ("detalles.0" of
// "detalles.0.cantidad") was already reported.
func skipped(skip map[string]bool, name string) bool {
	for {
		if skip[name] {
			return true
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return false
		}
		name = name[:i]
	}
}

// fieldOrder maps the JSON names of dst's fields to their position.
func fieldOrder(dst any) map[string]int {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}

// rank is the position of the field a message is about; messages about
// no field (unknown properties) go last.
func rank(order map[string]int, msg string) int {
	name, _, _ := strings.Cut(msg, " ")
	name, _, _ = strings.Cut(name, ".")
	if i, ok := order[name]; ok {
		return i
	}
	return len(order) + 1
}

// trimPtr trims *s in place.
func trimPtr(s *string) {
	if s != nil {
		*s = strings.TrimSpace(*s)
	}
}
