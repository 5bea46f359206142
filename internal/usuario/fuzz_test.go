package usuario

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/persona"
)

// FuzzUsuarioRequests decodes any body as POST /usuario/register and PATCH
// /usuario/:id do, and validates it as they do: no panic, and a body that
// passes has everything registration needs, within its limits.
func FuzzUsuarioRequests(f *testing.F) {
	f.Add([]byte(`{"email":"maria.quispe@kantuta.bo","password":"ClaveFuerte123!","nombres":"María Elena","p_apellido":"Quispe","s_apellido":"Condori","fecha_nacimiento":"1995-03-22","genero":"F","name":"maria.quispe","estado":true}`))
	f.Add([]byte(`{"email":"A@B.CO","password":"12345678","nombres":"a","p_apellido":"b","fecha_nacimiento":"2024-02-29","genero":"o","id_role":1}`))
	f.Add([]byte(`{"name":"  ","email":null,"password":"x","estado":"true","id_role":"1"}`))
	f.Add([]byte(`{"fecha_nacimiento":"2023-02-30","genero":"X","nombres":"\u0000"}`))
	f.Add([]byte(`{"email":"a@b.co\r\nBcc: x@y.z","password":"` + strings.Repeat("p", 73) + `"}`))
	v := httpapi.NewValidator()
	persona.RegisterRules(v)
	bind := func(body []byte, dst any) error {
		return v.Bind(httptest.NewRequest("POST", "/", bytes.NewReader(body)), dst)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var reg registerRequest
		if err := bind(body, &reg); err == nil || httpapi.AsError(err).Status >= 500 {
			if err != nil {
				t.Fatalf("register body %q: %v", body, err)
			}
			if reg.Email == nil || reg.Password == nil || len(*reg.Password) < 8 || len(*reg.Password) > 72 {
				t.Fatalf("accepted without a valid email and password: %q", body)
			}
			if n := login.NormalizeEmail(*reg.Email); n == "" || len(n) > 150 {
				t.Fatalf("accepted email %q", n)
			}
			var p persona.Persona
			reg.Apply(&p)
			if p.Nombres == "" || p.PApellido == "" || p.FechaNacimiento.IsZero() || p.FechaNacimiento.After(time.Now()) {
				t.Fatalf("accepted an incomplete persona %+v from %q", p, body)
			}
		}
		var patch patchRequest
		if err := bind(body, &patch); err != nil && httpapi.AsError(err).Status >= 500 {
			t.Fatalf("patch body %q: %v", body, err)
		}
	})
}
