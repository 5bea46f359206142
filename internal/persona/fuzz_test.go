package persona

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kantuta/kantuta/internal/httpapi"
)

var fuzzValidator = func() *httpapi.Validator {
	v := httpapi.NewValidator()
	RegisterRules(v)
	return v
}()

// valid normalizes and validates a body as Bind does after decoding it.
func valid(body httpapi.Normalizer) bool {
	body.Normalize()
	return len(fuzzValidator.Problems(body)) == 0
}

// checkAccepted fails when Validate let through what a persona cannot be.
func checkAccepted(t *testing.T, f Fields, required bool) {
	t.Helper()
	var p Persona
	f.Apply(&p)
	if required && (p.Nombres == "" || p.PApellido == "" || p.FechaNacimiento.IsZero() || p.Genero == "") {
		t.Fatalf("required fields missing after validation: %+v", p)
	}
	if utf8.RuneCountInString(p.Nombres) > 100 || utf8.RuneCountInString(p.PApellido) > 50 ||
		(p.SApellido != nil && utf8.RuneCountInString(*p.SApellido) > 50) {
		t.Fatalf("over-long field accepted: %+v", p)
	}
	if p.Genero != "" && p.Genero != "M" && p.Genero != "F" && p.Genero != "O" {
		t.Fatalf("genero %q accepted", p.Genero)
	}
	if f.FechaNacimiento != nil && (p.FechaNacimiento.After(time.Now()) || p.FechaNacimiento.Before(minBirth)) {
		t.Fatalf("fecha_nacimiento %v accepted", p.FechaNacimiento)
	}
}

// FuzzFieldsValidate: any combination of given and missing fields either
// fails with messages or yields a valid persona.
func FuzzFieldsValidate(f *testing.F) {
	f.Add("María Elena", "Quispe", "Condori", "1995-03-22", "F", uint8(0), true)
	f.Add(" ", "", "", "2023-02-30", "x", uint8(0), true)
	f.Add("a", "b", "", "1900-01-01", "o", uint8(4), false)
	f.Add("ñ", "b", "c", "2025-06-01", "m", uint8(31), true)
	f.Add("a", "b", "c", "1899-12-31", "F", uint8(0), false)
	f.Add("a", "b", "c", " 1995-03-22T00:00:00Z", "F", uint8(0), true)
	f.Fuzz(func(t *testing.T, nombres, pApellido, sApellido, fecha, genero string, missing uint8, required bool) {
		pick := func(bit uint8, s string) *string {
			if missing&bit != 0 {
				return nil
			}
			return &s
		}
		fields := Fields{Nombres: pick(1, nombres), PApellido: pick(2, pApellido), SApellido: pick(4, sApellido),
			FechaNacimiento: pick(8, fecha), Genero: pick(16, genero)}
		if required {
			if c := (&createRequest{fields}); valid(c) {
				checkAccepted(t, c.Fields, true)
			}
		} else if id := int64(1); valid(&updateBody{ID: &id, Fields: fields}) {
			checkAccepted(t, fields, false)
		}
	})
}

// FuzzPersonaRequests decodes any body as POST /persona and PUT /persona
// do, then validates it.
func FuzzPersonaRequests(f *testing.F) {
	f.Add([]byte(`{"nombres":"Juan","p_apellido":"Mamani","s_apellido":"Flores","fecha_nacimiento":"1988-11-05","genero":"M"}`))
	f.Add([]byte(`{"id":1,"nombres":"Ana","id_user_update":7,"estado":true}`))
	f.Add([]byte(`{"id":"1","fecha_nacimiento":19950322,"genero":["F"]}`))
	f.Add([]byte(`{"id":-1,"s_apellido":null,"nombres":"<script>alert(1)</script>"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var c createRequest
		if err := httpapi.DecodeJSONBytes(body, &c); err == nil && valid(&c) {
			checkAccepted(t, c.Fields, true)
		}
		var u updateBody
		if err := httpapi.DecodeJSONBytes(body, &u); err == nil && valid(&u) {
			checkAccepted(t, u.Fields, false)
		}
	})
}
