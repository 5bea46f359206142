package auth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func testIssuer() *Issuer {
	return NewIssuer([]byte("access-key-access-key-access-key-1"), []byte("refresh-key-refresh-key-refresh-k"), 15*time.Minute, time.Hour)
}

func TestIssuerRoundTrip(t *testing.T) {
	is := testIssuer()
	subj := Subject{Kind: KindUsuario, ID: "42", Username: "a@b.bo", RoleID: 2, RoleName: "lider", Family: "fam", Version: 3}
	acc, err := is.Access(subj)
	if err != nil {
		t.Fatal(err)
	}
	c, err := is.ParseAccess(acc.Token)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Principal()
	if p.Kind != KindUsuario || p.ID != "42" || p.UsuarioID() != 42 || p.RoleID != 2 || p.Family != "fam" || c.Version != 3 {
		t.Fatalf("round trip: %+v %+v", p, c)
	}
	if _, ok := c.Sub.(float64); !ok {
		t.Fatalf("a usuario's sub must be a JSON number, got %T", c.Sub)
	}
	op, _ := is.Access(Subject{Kind: KindOperador, ID: "e911705c-e1b4-4997-ab02-ef7460491ac0", RoleID: 3})
	oc, err := is.ParseAccess(op.Token)
	if err != nil || oc.Principal().ID != "e911705c-e1b4-4997-ab02-ef7460491ac0" || oc.Principal().UsuarioID() != 0 {
		t.Fatalf("operator token: %+v %v", oc, err)
	}
}

func TestIssuerRefusals(t *testing.T) {
	is := testIssuer()
	subj := Subject{Kind: KindUsuario, ID: "1", RoleID: 1}
	acc, _ := is.Access(subj)
	ref, _ := is.Refresh(subj)
	mk := func(mutate func(jwt.MapClaims), method jwt.SigningMethod, key any) string {
		claims := jwt.MapClaims{"sub": 1, "roleId": 1, "kind": "usuario", "typ": "access", "iss": "kantuta", "jti": "j",
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
		mutate(claims)
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	key := []byte("access-key-access-key-access-key-1")
	cases := map[string]string{
		"refresh as access":       ref.Token,
		"expired":                 mk(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }, jwt.SigningMethodHS256, key),
		"no exp":                  mk(func(c jwt.MapClaims) { delete(c, "exp") }, jwt.SigningMethodHS256, key),
		"wrong issuer":            mk(func(c jwt.MapClaims) { c["iss"] = "nest" }, jwt.SigningMethodHS256, key),
		"HS512":                   mk(func(jwt.MapClaims) {}, jwt.SigningMethodHS512, key),
		"alg none":                mk(func(jwt.MapClaims) {}, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType),
		"unknown kind":            mk(func(c jwt.MapClaims) { c["kind"] = "root" }, jwt.SigningMethodHS256, key),
		"no sub":                  mk(func(c jwt.MapClaims) { delete(c, "sub") }, jwt.SigningMethodHS256, key),
		"future iat":              mk(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() }, jwt.SigningMethodHS256, key),
		"signed with refresh key": mk(func(jwt.MapClaims) {}, jwt.SigningMethodHS256, []byte("refresh-key-refresh-key-refresh-k")),
		"truncated":               acc.Token[:len(acc.Token)-5],
		"empty":                   "",
	}
	for name, tok := range cases {
		if _, err := is.ParseAccess(tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := is.ParseRefresh(acc.Token); err == nil {
		t.Error("an access token was accepted as a refresh token")
	}
}

func BenchmarkParseAccess(b *testing.B) {
	is := testIssuer()
	acc, _ := is.Access(Subject{Kind: KindUsuario, ID: "42", Username: "a@b.bo", RoleID: 2, RoleName: "lider", Family: "f"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := is.ParseAccess(acc.Token); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVerifiedTokenStillExpires: a token verified once is answered from
// memory afterwards, but never past its expiry, and a tampered copy of it is
// verified from scratch (and refused).
func TestVerifiedTokenStillExpires(t *testing.T) {
	is := testIssuer()
	now := time.Now()
	is.now = func() time.Time { return now }
	acc, err := is.Access(Subject{Kind: KindUsuario, ID: "7", RoleID: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := is.ParseAccess(acc.Token); err != nil {
			t.Fatalf("parse %d: %v", i, err)
		}
	}
	if _, ok := is.verified.get(acc.Token); !ok {
		t.Fatal("the verified token was not remembered")
	}
	if _, err := is.ParseAccess(acc.Token[:len(acc.Token)-2] + "xx"); err == nil {
		t.Fatal("a tampered signature was accepted")
	}
	now = now.Add(15*time.Minute + 4*time.Second) // inside the leeway
	if _, err := is.ParseAccess(acc.Token); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	now = now.Add(2 * time.Second)
	if _, err := is.ParseAccess(acc.Token); err == nil {
		t.Fatal("an expired token was accepted from memory")
	}
	fresh := testIssuer()
	fresh.now = is.now
	if _, err := fresh.ParseAccess(acc.Token); err == nil {
		t.Fatal("an expired token was accepted by a fresh issuer")
	}
}
