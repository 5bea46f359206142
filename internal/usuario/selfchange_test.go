package usuario_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestSelfEmailPasswordChangeNeedsCurrentPassword (issue 14 item 4): a
// stolen 15-minute token used to take an account for good with
// PATCH /usuario/{self} {"email"}: no password, no word to the old
// address, other sessions alive. Now a non-admin changing its own email or
// password sends currentPassword (400 when missing, 400 "Credenciales
// inválidas" when wrong, counted by the login lockout), the old address is
// told in the same transaction, and the other sessions end. The frontend's
// account form (name, unchanged email, estado, id_role) and admins editing
// others need no currentPassword.
func TestSelfEmailPasswordChangeNeedsCurrentPassword(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		const pw = "Password123!"
		me, _ := app.NewUsuario(role.User)
		path := fmt.Sprintf("/usuario/%d", me.ID)
		login := func(email, password string) *testkit.Response {
			return app.Post("/auth/login", "", map[string]any{"email": email, "password": password})
		}
		mine := login(me.Email, pw).Map(t)["access_token"].(string)   // the session that changes things
		other := login(me.Email, pw).Map(t)["access_token"].(string)  // another device
		stolen := login(me.Email, pw).Map(t)["access_token"].(string) // what a thief holds
		emailIs := func(want string) {
			t.Helper()
			var got string
			db.Raw("SELECT email FROM usuario WHERE id = ?", me.ID).Scan(&got)
			if got != want {
				t.Fatalf("email is %q, want %q", got, want)
			}
		}
		failures := func(email string) (n int) {
			db.Raw("SELECT failures FROM login_failure WHERE account_key = ?", "usuario:"+email).Scan(&n)
			return n
		}
		mails := func(to string) (subjects []string) {
			db.Raw("SELECT subject FROM mail_outbox WHERE to_email = ? ORDER BY id", to).Scan(&subjects)
			return subjects
		}

		// The frontend's own account form: name changes, the rest is sent unchanged.
		res := app.Patch(path, mine, map[string]any{"name": "cajera.nueva", "email": strings.ToUpper(me.Email), "estado": true, "id_role": role.User})
		if res.Status != 200 || res.Map(t)["name"] != "cajera.nueva" {
			t.Fatalf("name-only change from the account form: %s", res)
		}

		cases := []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"email": "ladron@example.com"}, "currentPassword es requerido"},
			{map[string]any{"password": "LadronClave1"}, "currentPassword es requerido"},
			{map[string]any{"email": "ladron@example.com", "currentPassword": ""}, "currentPassword es requerido"},
			{map[string]any{"email": "ladron@example.com", "currentPassword": "adivina1"}, "Credenciales inválidas"},
			{map[string]any{"password": "LadronClave1", "currentPassword": "adivina2"}, "Credenciales inválidas"},
		}
		for _, tc := range cases {
			res := app.Patch(path, stolen, tc.body)
			if res.Status != 400 || !strings.Contains(fmt.Sprint(res.Map(t)["message"]), tc.want) {
				t.Fatalf("PATCH %v with a stolen token: %s, want 400 %q", tc.body, res, tc.want)
			}
		}
		emailIs(me.Email)
		if n := failures(me.Email); n != 2 {
			t.Fatalf("wrong currentPassword counted %d failures, want 2", n)
		}
		if got := mails(me.Email); len(got) != 0 {
			t.Fatalf("mails for refused changes: %v", got)
		}

		// The owner changes the email: the old address hears of it, other sessions end.
		res = app.Patch(path, mine, map[string]any{"email": "Nueva.Direccion@Example.com", "currentPassword": pw})
		if res.Status != 200 || res.Map(t)["email"] != "nueva.direccion@example.com" {
			t.Fatalf("email change with the right currentPassword: %s", res)
		}
		emailIs("nueva.direccion@example.com")
		if got := mails(me.Email); len(got) != 1 || !strings.Contains(got[0], "correo") {
			t.Fatalf("notice to the old address: %v", got)
		}
		var body string
		db.Raw("SELECT body_text FROM mail_outbox WHERE to_email = ?", me.Email).Scan(&body)
		if !strings.Contains(body, "nueva.direccion@example.com") {
			t.Fatalf("the notice does not say the new address: %q", body)
		}
		for name, tok := range map[string]string{"other": other, "stolen": stolen} {
			if res := app.Get("/auth/me", tok); res.Status != 401 {
				t.Fatalf("the %s session survived the email change: %s", name, res)
			}
		}
		if res := app.Get("/auth/me", mine); res.Status != 200 {
			t.Fatalf("the session that changed the email ended: %s", res)
		}
		// Tokens name the account by id: change-password works with the token
		// issued before the change (old email inside) and with a fresh one.
		if res := app.Post("/auth/change-password", mine, map[string]any{"currentPassword": pw, "newPassword": "Segunda123!"}); res.Status != 201 {
			t.Fatalf("change-password after an email change (old token): %s", res)
		}
		fresh := login("nueva.direccion@example.com", "Segunda123!")
		if fresh.Status != 201 {
			t.Fatalf("login with the new email: %s", fresh)
		}
		freshTok := fresh.Map(t)["access_token"].(string)
		if res := app.Post("/auth/change-password", freshTok, map[string]any{"currentPassword": "Segunda123!", "newPassword": "Tercera123!"}); res.Status != 201 {
			t.Fatalf("change-password after an email change (fresh token): %s", res)
		}

		// A self password change through PATCH: currentPassword, notice, others end.
		second := login("nueva.direccion@example.com", "Tercera123!").Map(t)["access_token"].(string)
		res = app.Patch(path, freshTok, map[string]any{"password": "Cuarta1234!", "currentPassword": "Tercera123!"})
		if res.Status != 200 {
			t.Fatalf("password change with currentPassword: %s", res)
		}
		if res := app.Get("/auth/me", second); res.Status != 401 {
			t.Fatalf("another session survived the password change: %s", res)
		}
		if got := mails("nueva.direccion@example.com"); len(got) < 1 {
			t.Fatalf("no password-changed notice: %v", got)
		}

		// Admins changing another account (the frontend's admin screens) send none.
		admin := app.Token(role.Admin)
		victim, _ := app.NewUsuario(role.User)
		victimTok := login(victim.Email, pw).Map(t)["access_token"].(string)
		res = app.Patch(fmt.Sprintf("/usuario/%d", victim.ID), admin, map[string]any{"name": "x", "email": "cambiada@example.com", "estado": true, "id_role": role.User})
		if res.Status != 200 || res.Map(t)["email"] != "cambiada@example.com" {
			t.Fatalf("admin changing another's email: %s", res)
		}
		if got := mails(victim.Email); len(got) != 1 {
			t.Fatalf("the old address of an admin-changed account: %v", got)
		}
		if res := app.Get("/auth/me", victimTok); res.Status != 401 {
			t.Fatalf("the account's session survived an admin's email change: %s", res)
		}
		if res := app.Patch(fmt.Sprintf("/usuario/%d", victim.ID), admin, map[string]any{"password": "DelAdmin123"}); res.Status != 200 {
			t.Fatalf("admin changing another's password: %s", res)
		}
	})
}

// TestCurrentPasswordSharesTheLockout: wrong currentPassword answers are
// failed logins: after five, both PATCH and login answer 429 without a
// compare, even with the right password.
func TestCurrentPasswordSharesTheLockout(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		me, tok := app.NewUsuario(role.User)
		path := fmt.Sprintf("/usuario/%d", me.ID)
		for i := 0; i < 3; i++ {
			if res := app.Patch(path, tok, map[string]any{"email": "x@example.com", "currentPassword": "mala"}); res.Status != 400 {
				t.Fatalf("wrong currentPassword %d: %s", i+1, res)
			}
		}
		for i := 0; i < 2; i++ {
			if res := app.Post("/auth/login", "", map[string]any{"email": me.Email, "password": "mala"}); res.Status != 401 {
				t.Fatalf("wrong login %d: %s", i+1, res)
			}
		}
		before := app.Hasher.Compares()
		res := app.Patch(path, tok, map[string]any{"email": "x@example.com", "currentPassword": "Password123!"})
		if res.Status != 429 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("right currentPassword after five failures: %s", res)
		}
		if res := app.Post("/auth/login", "", map[string]any{"email": me.Email, "password": "Password123!"}); res.Status != 429 {
			t.Fatalf("login after five failures: %s", res)
		}
		if n := app.Hasher.Compares() - before; n != 0 {
			t.Fatalf("%d compares on a locked account", n)
		}
	})
}
