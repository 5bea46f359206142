package auth

import (
	"testing"
	"time"
)

// FuzzParseToken: any string given as an access or a refresh token is
// refused or yields claims of the right type, kind and subject.
func FuzzParseToken(f *testing.F) {
	is := NewIssuer([]byte("fuzz-access-key-0123456789abcdef0123"), []byte("fuzz-refresh-key-0123456789abcdef012"), 15*time.Minute, time.Hour)
	for _, s := range []Subject{{Kind: KindUsuario, ID: "1", RoleID: 1, Username: "a@b.co", Family: "fam"}, {Kind: KindOperador, ID: "9b2c6f0e-1d2a-4c1b-9a55-0e2f3a4b5c6d", RoleID: 3}} {
		a, _ := is.Access(s)
		r, _ := is.Refresh(s)
		f.Add(a.Token)
		f.Add(r.Token)
		f.Add(a.Token[:len(a.Token)-2])
	}
	f.Add("")
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOjEsInR5cCI6ImFjY2VzcyJ9.")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.x")
	f.Add("a.b.c.d")
	f.Fuzz(func(t *testing.T, token string) {
		for _, tc := range []struct {
			typ   string
			parse func(string) (Claims, error)
		}{{TypeAccess, is.ParseAccess}, {TypeRefresh, is.ParseRefresh}} {
			c, err := tc.parse(token)
			if err != nil {
				continue
			}
			sub, _ := c.GetSubject()
			if c.Type != tc.typ || (c.Kind != KindUsuario && c.Kind != KindOperador) || sub == "" || c.ID == "" || c.ExpiresAt == nil {
				t.Fatalf("accepted %q as %s with claims %+v", token, tc.typ, c)
			}
			_ = c.Principal()
		}
	})
}
