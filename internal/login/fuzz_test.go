package login

import (
	"testing"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// FuzzAuthRequests decodes any body as POST /auth/login and POST
// /auth/refresh_token do: no panic, a 4xx or a value.
func FuzzAuthRequests(f *testing.F) {
	f.Add([]byte(`{"email":"admin@kantuta.local","password":"x"}`))
	f.Add([]byte(`{"name":"caja1","pin":"1234"}`))
	f.Add([]byte(`{"refresh_token":"eyJhbGciOiJIUzI1NiJ9.e30.x"}`))
	f.Add([]byte(`{"email":["a"],"pin":1234}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var l loginRequest
		if err := httpapi.DecodeJSONBytes(body, &l); err != nil && httpapi.AsError(err).Status >= 500 {
			t.Fatalf("login body %q: %v", body, err)
		}
		var r refreshRequest
		if err := httpapi.DecodeJSONBytes(body, &r); err != nil && httpapi.AsError(err).Status >= 500 {
			t.Fatalf("refresh body %q: %v", body, err)
		}
	})
}
