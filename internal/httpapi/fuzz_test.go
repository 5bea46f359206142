package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// fuzzTarget has a field of every kind a request struct uses.
type fuzzTarget struct {
	Name   string            `json:"name"`
	Email  *string           `json:"email"`
	Age    *int              `json:"age"`
	ID     *int64            `json:"id"`
	Active *bool             `json:"active"`
	Price  float64           `json:"price"`
	Tags   []string          `json:"tags"`
	Extra  map[string]string `json:"extra"`
	Inner  *struct {
		Code string `json:"code"`
	} `json:"inner"`
}

// FuzzDecodeJSONBytes: any body either decodes or is refused with a 4xx
// *Error; never a panic, never a 5xx.
func FuzzDecodeJSONBytes(f *testing.F) {
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"name":"ana","age":3,"active":true}`, `{"name":5}`,
		`{"tags":["a",1]}`, `{"inner":{"code":"x"}}`, `{"extra":{"a":"\u0000"}}`, "{\"name\":\"\xff\"}", `{"a":1,"b":2}`,
		`{"id":9223372036854775808}`, `{"price":1e400}`, `[[[[[[[[]]]]]]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst fuzzTarget
		err := DecodeJSONBytes(body, &dst)
		if err == nil {
			return
		}
		e := AsError(err)
		if e.Status < 400 || e.Status >= 500 {
			t.Fatalf("status %d for %q: %v", e.Status, body, err)
		}
		if e.Code == CodeValidation && len(e.Messages) == 0 {
			t.Fatalf("validation error without messages for %q", body)
		}
	})
}

// FuzzRenderers: every renderer answers any error for any path with a
// well-formed body; the Nest and Clientes ones with JSON, Nest's carrying
// the status.
func FuzzRenderers(f *testing.F) {
	f.Add(400, CodeValidation, "", "email es requerido\nnombres es requerido", "/usuario/register")
	f.Add(401, CodeTokenInvalid, "", "", "/auth/me")
	f.Add(503, CodeUnavailable, "", "", "/readyz")
	f.Add(500, CodeInternal, "boom", "", "/%00")
	f.Add(409, "", "El email ya se encuentra registrado", "", "/users/\xff")
	f.Add(429, CodeRateLimited, "", "", "/api/pos/clientes")
	f.Fuzz(func(t *testing.T, status int, code, message, messages, path string) {
		if status < 0 {
			status = -status
		}
		status = 400 + status%200
		e := &Error{Status: status, Code: code, Message: message}
		if messages != "" {
			e.Messages = strings.Split(messages, "\n")
		}
		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: path}, Header: http.Header{}}
		for _, rd := range []Renderer{NestRenderer{}, ClientesRenderer{}, PlainRenderer{}} {
			w := httptest.NewRecorder()
			rd.RenderError(w, r, e)
			if w.Code != status {
				t.Fatalf("%T wrote %d, want %d", rd, w.Code, status)
			}
			if w.Body.Len() == 0 {
				t.Fatalf("%T wrote an empty body", rd)
			}
			if _, plain := rd.(PlainRenderer); plain {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
				t.Fatalf("%T wrote invalid JSON %q: %v", rd, w.Body.String(), err)
			}
			if _, nest := rd.(NestRenderer); nest && (m["statusCode"] != float64(status) || m["message"] == nil) {
				t.Fatalf("Nest body %s for status %d", w.Body.String(), status)
			}
		}
	})
}
