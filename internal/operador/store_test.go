package operador_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/operador"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestStoreAccounts(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		app := testkit.NewApp(t, db)
		store := app.Operadores
		var accounts login.OperatorAccounts = store // what the PIN login uses

		op, _ := newOperator(t, app, "Ángel Pérez", "1234", role.Lider)
		for _, name := range []string{"Ángel Pérez", "ángel pérez", "ÁNGEL PÉREZ", "  ángel PÉREZ "} {
			c, err := accounts.OperatorCredentials(ctx, name)
			if err != nil {
				t.Fatalf("credentials %q: %v", name, err)
			}
			if c.Kind != auth.KindOperador || c.ID != op.ID || c.Username != "Ángel Pérez" || c.RoleID != role.Lider ||
				c.RoleName != "lider" || !c.Active || c.Version != 0 || c.Hash != op.PinHash {
				t.Fatalf("credentials %q: %+v", name, c)
			}
		}
		for _, name := range []string{"", "  ", "Angel Perez", "Ángel", "%", "_ngel Pérez"} {
			if _, err := accounts.OperatorCredentials(ctx, name); !errors.Is(err, login.ErrNoSuchAccount) {
				t.Fatalf("credentials %q: %v, want ErrNoSuchAccount", name, err)
			}
		}

		// A cost upgrade keeps the sessions.
		if err := accounts.SetOperatorPinHash(ctx, op.ID, "$2a$10$new"); err != nil {
			t.Fatal(err)
		}
		st, err := store.AccountState(ctx, op.ID)
		if err != nil || st != (auth.AccountState{RoleID: role.Lider, Active: true, TokenVersion: 0, Username: "Ángel Pérez", RoleName: "lider"}) {
			t.Fatalf("state: %+v %v", st, err)
		}
		for _, id := range []string{missingID, "nope", ""} {
			if err := accounts.SetOperatorPinHash(ctx, id, "x"); !errors.Is(err, login.ErrNoSuchAccount) {
				t.Fatalf("set pin hash of %q: %v", id, err)
			}
			if _, err := accounts.OperatorProfile(ctx, id); !errors.Is(err, login.ErrNoSuchAccount) {
				t.Fatalf("profile of %q: %v", id, err)
			}
			if _, err := store.AccountState(ctx, id); !errors.Is(err, auth.ErrAccountNotFound) {
				t.Fatalf("state of %q: %v", id, err)
			}
		}

		// Deleted: not found by name, inactive with a new token version,
		// its name free for another operator.
		if err := store.Delete(ctx, op.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.OperatorCredentials(ctx, "ángel pérez"); !errors.Is(err, login.ErrNoSuchAccount) {
			t.Fatalf("deleted operator found: %v", err)
		}
		if _, err := accounts.OperatorProfile(ctx, op.ID); !errors.Is(err, login.ErrNoSuchAccount) {
			t.Fatalf("deleted operator's profile: %v", err)
		}
		if err := accounts.SetOperatorPinHash(ctx, op.ID, "x"); !errors.Is(err, login.ErrNoSuchAccount) {
			t.Fatalf("deleted operator's pin: %v", err)
		}
		st, err = store.AccountState(ctx, op.ID)
		if err != nil || st.Active || st.TokenVersion != 1 {
			t.Fatalf("deleted state: %+v %v", st, err)
		}
		if err := store.Delete(ctx, op.ID); !errors.Is(err, operador.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := store.Update(ctx, op.ID, operador.Changes{Name: &op.Name}); !errors.Is(err, operador.ErrNotFound) {
			t.Fatalf("update of a deleted operator: %v", err)
		}
		again, _ := newOperator(t, app, "ÁNGEL PÉREZ", "5678", role.User)
		c, err := accounts.OperatorCredentials(ctx, "ángel pérez")
		if err != nil || c.ID != again.ID || c.ID == op.ID {
			t.Fatalf("reused name: %+v %v", c, err)
		}
		if _, err := store.Create(ctx, operador.NewOperador{Name: "ángel pérez", PinHash: "x", IDRole: role.User}); !errors.Is(err, operador.ErrNameTaken) {
			t.Fatalf("duplicate: %v", err)
		}
		if _, err := store.Create(ctx, operador.NewOperador{Name: "nobody", PinHash: "x", IDRole: 99}); !errors.Is(err, operador.ErrUnknownRole) {
			t.Fatalf("unknown role: %v", err)
		}
	})
}

func TestCanonicalIDAndPin(t *testing.T) {
	for id, want := range map[string]bool{
		"262006ea-8782-4b08-ac3b-b3f13270fec3": true, "262006EA-8782-4B08-AC3B-B3F13270FEC3": true,
		"262006ea87824b08ac3bb3f13270fec3": false, "{262006ea-8782-4b08-ac3b-b3f13270fec3}": false,
		"": false, "262006ea-8782-4b08-ac3b-b3f13270fecz": false,
	} {
		if got, ok := operador.CanonicalID(id); ok != want || (ok && got != "262006ea-8782-4b08-ac3b-b3f13270fec3") {
			t.Errorf("CanonicalID(%q) = %q, %v", id, got, ok)
		}
	}
	for pin, want := range map[string]bool{"1234": true, "000000000000": true, "123": false, "1234567890123": false, "12a4": false, "": false, "12 34": false} {
		if operador.ValidPin(pin) != want {
			t.Errorf("ValidPin(%q) != %v", pin, want)
		}
	}
}
