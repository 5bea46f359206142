package operador_test

import (
	"context"
	"testing"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/operador"
	"github.com/kantuta/kantuta/internal/testkit"
)

// Role uuids seeded by migrations/*/00001_roles.sql.
const (
	adminRole = "262006ea-8782-4b08-ac3b-b3f13270fec3"
	liderRole = "5b0f2c1e-6a43-4c8e-9d55-2f7e8a1c3b90"
	userRole  = "e7349203-1bdf-4d8a-8a83-0f5dccb23e1b"
	missingID = "00000000-0000-4000-8000-000000000000"
)

// newOperator creates an operator directly in the store and returns it
// with an access token for it.
func newOperator(t *testing.T, app *testkit.App, name, pin string, roleID int) (operador.Operador, string) {
	t.Helper()
	ctx := context.Background()
	hash, err := app.Hasher.Hash(ctx, pin)
	if err != nil {
		t.Fatal(err)
	}
	o, err := app.Operadores.Create(ctx, operador.NewOperador{Name: name, PinHash: hash, IDRole: roleID})
	if err != nil {
		t.Fatalf("create operator %q: %v", name, err)
	}
	return o, operatorToken(t, app, o)
}

func operatorToken(t *testing.T, app *testkit.App, o operador.Operador) string {
	t.Helper()
	tok, err := app.Issuer.Access(auth.Subject{Kind: auth.KindOperador, ID: o.ID, Username: o.Name, RoleID: o.IDRole, Version: o.TokenVersion})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}
