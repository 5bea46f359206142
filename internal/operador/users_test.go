package operador_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/operador"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// expectText checks a Plain-family text answer.
func expectText(t *testing.T, res *testkit.Response, status int, text string) {
	t.Helper()
	if res.Status != status || string(res.Body) != text {
		t.Fatalf("got %s, want %d %q", res, status, text)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q, want text/plain: %s", ct, res)
	}
}

// expectMessage checks a Plain-family JSON {"message"} answer.
func expectMessage(t *testing.T, res *testkit.Response, status int, message string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("got %s, want %d %q", res, status, message)
	}
	m := res.Map(t)
	if m["message"] != message || len(m) != 1 {
		t.Fatalf("got %s, want {\"message\":%q}", res.Body, message)
	}
}

func TestGuards(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		cashierUsuario := app.Token(role.User)
		liderUsuario := app.Token(role.Lider)
		target, cashierOp := newOperator(t, app, "target", "1234", role.User)
		_, liderOp := newOperator(t, app, "lider", "1234", role.Lider)
		byID := "/users/" + target.ID
		body := map[string]any{"name": "x", "pin": "1234"}

		admin := []testkit.Request{
			{Method: "GET", Path: byID},
			{Method: "POST", Path: "/users", Body: body},
			{Method: "PUT", Path: byID, Body: body},
			{Method: "DELETE", Path: byID},
		}
		anyToken := []testkit.Request{{Method: "GET", Path: "/users"}, {Method: "GET", Path: "/roles"}, {Method: "GET", Path: "/users/me"}}
		for _, req := range append(append([]testkit.Request{}, admin...), anyToken...) {
			t.Run("anonymous "+req.Method+" "+req.Path, func(t *testing.T) {
				expectMessage(t, app.Do(req), 401, "Unauthorized API access")
				req.Token = "not-a-token"
				expectMessage(t, app.Do(req), 401, "Unauthorized API access")
			})
		}
		for _, tok := range []struct{ name, token string }{
			{"cashier usuario", cashierUsuario}, {"lider usuario", liderUsuario},
			{"cashier operator", cashierOp}, {"lider operator", liderOp},
		} {
			for _, req := range admin {
				req.Token = tok.token
				t.Run(tok.name+" "+req.Method+" "+req.Path, func(t *testing.T) {
					expectMessage(t, app.Do(req), 403, "Permission required")
				})
			}
			for _, p := range []string{"/users", "/roles"} {
				if res := app.Get(p, tok.token); res.Status != 200 {
					t.Errorf("%s GET %s: %s", tok.name, p, res)
				}
			}
		}
		// Nothing was changed by the refused calls.
		if got, err := app.Operadores.ByID(context.Background(), target.ID); err != nil || got.Name != "target" {
			t.Fatalf("target after refused calls: %+v %v", got, err)
		}
		// A refresh token is never an access token.
		ref, err := app.Issuer.Refresh(auth.Subject{Kind: auth.KindOperador, ID: target.ID, RoleID: role.Admin})
		if err != nil {
			t.Fatal(err)
		}
		expectMessage(t, app.Get("/users", ref.Token), 401, "Unauthorized API access")
	})
}

func TestListGetAndCreate(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)

		res := app.Get("/users", admin)
		if res.Status != http.StatusNoContent || len(res.Body) != 0 {
			t.Fatalf("no operators: %s", res)
		}

		res = app.Post("/users", admin, map[string]any{"name": "cooluser1", "pin": "1234", "refreshToken": nil, "role": userRole})
		if res.Status != 201 {
			t.Fatalf("create: %s", res)
		}
		created := res.Map(t)
		id, _ := created["id"].(string)
		if _, ok := operador.CanonicalID(id); !ok || created["message"] != "User added successfully" || len(created) != 2 {
			t.Fatalf("create answer: %s", res.Body)
		}
		res = app.Post("/users", admin, map[string]any{"name": "  Boss  ", "pin": "123456789012", "refreshToken": "eyJ.secret", "roleId": adminRole, "email": "boss@shop.test", "phone": "+593 99 123 4567", "isAdmin": false, "extra": []int{1}})
		if res.Status != 201 {
			t.Fatalf("create admin: %s", res)
		}
		bossID := res.Map(t)["id"].(string)

		res = app.Get("/users", admin)
		var list []map[string]any
		res.JSON(t, &list)
		if res.Status != 200 || len(list) != 2 {
			t.Fatalf("list: %s", res)
		}
		want := []map[string]any{
			{"id": bossID, "name": "Boss", "pin": "****", "refreshToken": "****", "role": adminRole, "roleId": adminRole, "isAdmin": true},
			{"id": id, "name": "cooluser1", "pin": "****", "refreshToken": "****", "role": userRole, "roleId": userRole, "isAdmin": false},
		}
		if fmt.Sprint(list) != fmt.Sprint(want) {
			t.Fatalf("list\n got %v\nwant %v", list, want)
		}
		if strings.Contains(string(res.Body), "$2a$") || strings.Contains(string(res.Body), "eyJ") {
			t.Fatalf("hash or token leaked: %s", res.Body)
		}

		res = app.Get("/users/"+strings.ToUpper(id), admin)
		if res.Status != 200 || fmt.Sprint(res.Map(t)) != fmt.Sprint(want[1]) {
			t.Fatalf("get by id: %s", res)
		}
		expectText(t, app.Get("/users/"+missingID, admin), 404, "User not found")
		for _, bad := range []string{"nope", "123", "{" + missingID + "}", strings.ReplaceAll(missingID, "-", ""), missingID + "0", "urn:uuid:" + missingID} {
			expectText(t, app.Get("/users/"+bad, admin), 400, "Missing or malformed ID")
		}

		// The PIN is stored as a bcrypt hash, the name trimmed, no role → cashier.
		o, err := app.Operadores.ByID(context.Background(), bossID)
		if err != nil || !strings.HasPrefix(o.PinHash, "$2") || o.Name != "Boss" || *o.Email != "boss@shop.test" {
			t.Fatalf("stored operator: %+v %v", o, err)
		}
		res = app.Post("/users", admin, map[string]any{"name": "norole", "pin": "0000"})
		if res.Status != 201 {
			t.Fatalf("create without role: %s", res)
		}
		o, _ = app.Operadores.ByID(context.Background(), res.Map(t)["id"].(string))
		if o.IDRole != role.User {
			t.Fatalf("default role %d, want %d", o.IDRole, role.User)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	const (
		blank    = "Failed to add user, user name and/or pin cannot be null or blank"
		shortPin = "Failed to add user, pin must be at least 4 characters long"
	)
	cases := []struct {
		name string
		body any
		want string
	}{
		{"empty body", "", blank},
		{"empty object", map[string]any{}, blank},
		{"no pin", map[string]any{"name": "a", "role": userRole}, blank},
		{"null pin", map[string]any{"name": "a", "pin": nil, "role": userRole}, blank},
		{"no name", map[string]any{"pin": "1234", "role": userRole}, blank},
		{"blank name", map[string]any{"name": "   ", "pin": "1234", "role": userRole}, blank},
		{"blank pin", map[string]any{"name": "a", "pin": " ", "role": userRole}, blank},
		{"pin of 3", map[string]any{"name": "a", "pin": "123", "role": userRole}, shortPin},
		{"pin of 13", map[string]any{"name": "a", "pin": "1234567890123", "role": userRole}, "Failed to add user, pin must be at most 12 characters long"},
		{"pin with letters", map[string]any{"name": "a", "pin": "12ab", "role": userRole}, "Failed to add user, pin must contain only digits"},
		{"pin with spaces", map[string]any{"name": "a", "pin": " 1234", "role": userRole}, "Failed to add user, pin must contain only digits"},
		{"pin in other digits", map[string]any{"name": "a", "pin": "١٢٣٤", "role": userRole}, "Failed to add user, pin must contain only digits"},
		{"masked pin", map[string]any{"name": "a", "pin": "****", "role": userRole}, "Failed to add user, pin must contain only digits"},
		{"pin as a number", map[string]any{"name": "a", "pin": 1234, "role": userRole}, "Failed to add user, pin must be a string"},
		{"name as a number", map[string]any{"name": 7, "pin": "1234", "role": userRole}, "Failed to add user, name must be a string"},
		{"unknown role", map[string]any{"name": "a", "pin": "1234", "role": missingID}, "Failed to add user"},
		{"malformed role", map[string]any{"name": "a", "pin": "1234", "role": "admin"}, "Failed to add user"},
		{"role as a number", map[string]any{"name": "a", "pin": "1234", "role": 1}, "Failed to add user, role must be a string"},
		{"role and roleId differ", map[string]any{"name": "a", "pin": "1234", "role": userRole, "roleId": adminRole}, "Failed to add user, role and roleId differ"},
		{"name too long", map[string]any{"name": strings.Repeat("ñ", 101), "pin": "1234"}, "Failed to add user, user name must be at most 100 characters long"},
		{"NUL in name", map[string]any{"name": "a\x00b", "pin": "1234"}, "Failed to add user, user name contains invalid characters"},
		{"bad email", map[string]any{"name": "a", "pin": "1234", "email": "not an email"}, "Failed to add user, email is not valid"},
		{"bad phone", map[string]any{"name": "a", "pin": "1234", "phone": "call me"}, "Failed to add user, phone is not valid"},
		{"malformed JSON", `{"name":`, "Invalid request body: a JSON object is expected"},
		{"JSON array", `[{"name":"a","pin":"1234"}]`, "Invalid request body: a JSON object is expected"},
		{"JSON null", `null`, "Invalid request body: a JSON object is expected"},
		{"invalid UTF-8", []byte("{\"name\":\"\xff\",\"pin\":\"1234\"}"), "Invalid request body: a JSON object is expected"},
	}
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				expectText(t, app.Do(testkit.Request{Method: "POST", Path: "/users", Token: admin, Body: tc.body, Header: map[string]string{"Content-Type": "application/json"}}), 400, tc.want)
			})
		}
		if res := app.Get("/users", admin); res.Status != 204 {
			t.Fatalf("a refused create stored something: %s", res)
		}

		// PIN lengths 4 and 12 are fine; names are unique case-insensitively.
		for _, pin := range []string{"0000", "999999999999"} {
			if res := app.Post("/users", admin, map[string]any{"name": "p" + pin, "pin": pin, "role": userRole}); res.Status != 201 {
				t.Fatalf("pin %q: %s", pin, res)
			}
		}
		if res := app.Post("/users", admin, map[string]any{"name": "Ángel", "pin": "1234", "role": userRole}); res.Status != 201 {
			t.Fatalf("create Ángel: %s", res)
		}
		for _, dup := range []string{"Ángel", "ÁNGEL", "ángel", " ángel "} {
			expectMessage(t, app.Post("/users", admin, map[string]any{"name": dup, "pin": "1234", "role": userRole}), 409, "User name already exists")
		}
	})
}

func TestUpdate(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		op, opTok := newOperator(t, app, "cajero", "1234", role.User)
		newOperator(t, app, "Otro", "1234", role.User)
		path := "/users/" + op.ID

		const what = "Failed to update user"
		bad := []struct {
			name, path string
			body       any
			status     int
			want       string
		}{
			{"empty object", path, map[string]any{}, 400, "No fields provided to update"},
			{"empty body", path, "", 400, "No fields provided to update"},
			{"only refreshToken", path, map[string]any{"refreshToken": "x", "id": op.ID}, 400, "No fields provided to update"},
			{"only nulls", path, map[string]any{"name": nil, "pin": nil, "role": nil}, 400, "No fields provided to update"},
			{"masked pin only", path, map[string]any{"pin": "****"}, 400, "No fields provided to update"},
			{"blank name", path, map[string]any{"name": "  "}, 400, what + ", user name cannot be blank"},
			{"short pin", path, map[string]any{"pin": "12"}, 400, what + ", pin must be at least 4 characters long"},
			{"empty pin", path, map[string]any{"pin": ""}, 400, what + ", pin must be at least 4 characters long"},
			{"long pin", path, map[string]any{"pin": "1234567890123"}, 400, what + ", pin must be at most 12 characters long"},
			{"letters pin", path, map[string]any{"pin": "abcd"}, 400, what + ", pin must contain only digits"},
			{"unknown role", path, map[string]any{"role": missingID}, 400, what},
			{"unknown roleId", path, map[string]any{"roleId": "x"}, 400, what},
			{"pin as a number", path, map[string]any{"pin": 1234}, 400, what + ", pin must be a string"},
			{"malformed JSON", path, "{", 400, "Invalid request body: a JSON object is expected"},
			{"malformed id", "/users/abc", map[string]any{"name": "x"}, 400, "Missing or malformed ID"},
			{"unknown id", "/users/" + missingID, map[string]any{"name": "x"}, 404, "User with ID: " + missingID + " not found"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				expectText(t, app.Do(testkit.Request{Method: "PUT", Path: tc.path, Token: admin, Body: tc.body, Header: map[string]string{"Content-Type": "application/json"}}), tc.status, tc.want)
			})
		}
		expectMessage(t, app.Put(path, admin, map[string]any{"name": "OTRO"}), 409, "User name already exists")

		// Renaming to a case variant of its own name is fine; role by roleId.
		res := app.Put(path, admin, map[string]any{"name": "Cajero", "roleId": liderRole, "refreshToken": "ignored", "email": "c@shop.test"})
		if res.Status != 200 || fmt.Sprint(res.Map(t)) != fmt.Sprint(map[string]any{"id": op.ID, "message": "User updated successfully"}) {
			t.Fatalf("update: %s", res)
		}
		got, _ := app.Operadores.ByID(context.Background(), op.ID)
		if got.Name != "Cajero" || got.IDRole != role.Lider || got.Email == nil || *got.Email != "c@shop.test" || got.PinHash != op.PinHash {
			t.Fatalf("after update: %+v", got)
		}
		// The token still works (no PIN change) and carries the new role.
		if res := app.Get("/users/me", opTok); res.Status != 200 || res.Map(t)["user"].(map[string]any)["roleId"] != liderRole {
			t.Fatalf("me after role change: %s", res)
		}
		// An object from GET /users sent back as is keeps the PIN.
		var list []map[string]any
		app.Get("/users", admin).JSON(t, &list)
		for _, u := range list {
			if u["id"] == op.ID {
				u["role"] = userRole
				u["roleId"] = userRole
				if res := app.Put(path, admin, u); res.Status != 200 {
					t.Fatalf("round trip: %s", res)
				}
			}
		}
		if got, _ := app.Operadores.ByID(context.Background(), op.ID); got.PinHash != op.PinHash || got.IDRole != role.User {
			t.Fatalf("round trip changed the PIN or not the role: %+v", got)
		}
		// Clearing the email.
		if res := app.Put(path, admin, map[string]any{"email": ""}); res.Status != 200 {
			t.Fatalf("clear email: %s", res)
		}
		if got, _ := app.Operadores.ByID(context.Background(), op.ID); got.Email != nil {
			t.Fatalf("email not cleared: %v", *got.Email)
		}

		// A new PIN ends the operator's sessions.
		if res := app.Put(path, admin, map[string]any{"pin": "987654"}); res.Status != 200 {
			t.Fatalf("new pin: %s", res)
		}
		expectMessage(t, app.Get("/users/me", opTok), 401, "Unauthorized API access")
		got, _ = app.Operadores.ByID(context.Background(), op.ID)
		if ok, _, _ := app.Hasher.Compare(context.Background(), got.PinHash, "987654"); !ok {
			t.Fatal("the new PIN does not match its hash")
		}

		// Deleted operators cannot be updated.
		if res := app.Delete(path, admin); res.Status != 204 {
			t.Fatalf("delete: %s", res)
		}
		expectText(t, app.Put(path, admin, map[string]any{"name": "zombie"}), 404, "User with ID: "+op.ID+" not found")
	})
}

func TestDelete(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		op, opTok := newOperator(t, app, "Marta", "1234", role.User)
		path := "/users/" + op.ID

		if res := app.Get("/users/me", opTok); res.Status != 200 {
			t.Fatalf("me before delete: %s", res)
		}
		res := app.Delete(path, admin)
		if res.Status != 204 || len(res.Body) != 0 {
			t.Fatalf("delete: %s", res)
		}
		expectMessage(t, app.Get("/users/me", opTok), 401, "Unauthorized API access")
		expectText(t, app.Get(path, admin), 404, "User not found")
		expectText(t, app.Delete(path, admin), 404, "User with ID: "+op.ID+" not found")
		expectText(t, app.Delete("/users/"+missingID, admin), 404, "User with ID: "+missingID+" not found")
		expectText(t, app.Delete("/users/xyz", admin), 400, "Missing or malformed ID")
		if res := app.Get("/users", admin); res.Status != 204 {
			t.Fatalf("list after delete: %s", res)
		}
		// The name is free again; the old token stays dead.
		res = app.Post("/users", admin, map[string]any{"name": "marta", "pin": "4321", "role": userRole})
		if res.Status != 201 || res.Map(t)["id"] == op.ID {
			t.Fatalf("name reuse: %s", res)
		}
		expectMessage(t, app.Get("/users", opTok), 401, "Unauthorized API access")
	})
}

func TestLastAdmin(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		boss, bossTok := newOperator(t, app, "boss", "1234", role.Admin)
		path := "/users/" + boss.ID

		// The first admin usuario exists: the admin operator is not the last.
		if res := app.Put(path, bossTok, map[string]any{"role": userRole}); res.Status != 200 {
			t.Fatalf("demote with a usuario admin present: %s", res)
		}
		expectMessage(t, app.Get("/users/"+boss.ID, bossTok), 403, "Permission required") // demoted at once
		if err := db.Exec("UPDATE operador SET id_role = ? WHERE id = ?", role.Admin, boss.ID).Error; err != nil {
			t.Fatal(err)
		}
		app.Sessions.Forget(auth.KindOperador, boss.ID)
		spare, _ := newOperator(t, app, "spare", "1234", role.Admin)
		if res := app.Delete("/users/"+spare.ID, bossTok); res.Status != 204 {
			t.Fatalf("delete with a usuario admin present: %s", res)
		}

		// No active admin usuario any more: boss is the last admin.
		if err := db.Exec("UPDATE usuario SET estado = ? WHERE id_role = ?", false, role.Admin).Error; err != nil {
			t.Fatal(err)
		}
		expectMessage(t, app.Delete(path, bossTok), 409, "Cannot remove the last admin user")
		expectMessage(t, app.Put(path, bossTok, map[string]any{"role": userRole}), 409, "Cannot remove the last admin user")
		expectMessage(t, app.Put(path, bossTok, map[string]any{"roleId": liderRole, "name": "jefe"}), 409, "Cannot remove the last admin user")
		if got, _ := app.Operadores.ByID(context.Background(), boss.ID); got.Name != "boss" || got.IDRole != role.Admin {
			t.Fatalf("a refused demotion changed something: %+v", got)
		}
		// Keeping the admin role, or other changes, are fine.
		if res := app.Put(path, bossTok, map[string]any{"role": adminRole, "name": "Boss"}); res.Status != 200 {
			t.Fatalf("update keeping admin: %s", res)
		}
		// An inactive usuario admin does not count.
		u, _ := app.NewUsuario(role.Admin)
		if err := db.Exec("UPDATE usuario SET estado = ? WHERE id = ?", false, u.ID).Error; err != nil {
			t.Fatal(err)
		}
		expectMessage(t, app.Delete(path, bossTok), 409, "Cannot remove the last admin user")

		// With a second admin operator, either may go, but not both.
		second, secondTok := newOperator(t, app, "second", "1234", role.Admin)
		if res := app.Delete(path, secondTok); res.Status != 204 {
			t.Fatalf("delete one of two admin operators: %s", res)
		}
		expectMessage(t, app.Delete("/users/"+second.ID, secondTok), 409, "Cannot remove the last admin user")
	})
}

// Two admins removing each other at once: exactly one succeeds.
func TestLastAdminConcurrent(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		if err := db.Exec("UPDATE usuario SET estado = ? WHERE id_role = ?", false, role.Admin).Error; err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 5; round++ {
			a, aTok := newOperator(t, app, fmt.Sprintf("a%d", round), "1234", role.Admin)
			b, bTok := newOperator(t, app, fmt.Sprintf("b%d", round), "1234", role.Admin)
			if round > 0 { // leave only a and b as admins
				if err := db.Exec("UPDATE operador SET deleted_at = CURRENT_TIMESTAMP WHERE id_role = ? AND id NOT IN (?, ?) AND deleted_at IS NULL", role.Admin, a.ID, b.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			results := make([]*testkit.Response, 2)
			for i, call := range []struct{ tok, target string }{{aTok, b.ID}, {bTok, a.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if i == 0 {
						results[i] = app.Delete("/users/"+call.target, call.tok)
					} else {
						results[i] = app.Put("/users/"+call.target, call.tok, map[string]any{"role": userRole})
					}
				}()
			}
			wg.Wait()
			ok, conflict := 0, 0
			for _, res := range results {
				switch res.Status {
				case 204, 200:
					ok++
				case 409, 401, 403: // the loser may already have lost its admin rights
					conflict++
				default:
					t.Fatalf("round %d: unexpected %s", round, res)
				}
			}
			var admins int64
			if err := db.Raw("SELECT count(*) FROM operador WHERE id_role = ? AND deleted_at IS NULL", role.Admin).Scan(&admins).Error; err != nil {
				t.Fatal(err)
			}
			if ok != 1 || conflict != 1 || admins != 1 {
				t.Fatalf("round %d: %d ok, %d refused, %d admins left: %s / %s", round, ok, conflict, admins, results[0], results[1])
			}
			app.Sessions.Forget(auth.KindOperador, a.ID)
			app.Sessions.Forget(auth.KindOperador, b.ID)
		}
	})
}

func TestMe(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		res := app.Post("/users", admin, map[string]any{"name": "Lucía", "pin": "2468", "role": liderRole, "email": "lucia@shop.test"})
		if res.Status != 201 {
			t.Fatalf("create: %s", res)
		}
		o, err := app.Operadores.ByID(context.Background(), res.Map(t)["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		tok := operatorToken(t, app, o)
		want := map[string]any{
			"user":  map[string]any{"userId": o.ID, "name": "Lucía", "email": "lucia@shop.test", "phone": nil, "role": liderRole, "roleId": liderRole, "isAdmin": false},
			"perms": []any{},
		}
		for _, req := range []testkit.Request{
			{Method: "GET", Path: "/users/me", Token: tok},
			{Method: "GET", Path: "/users/me", Cookies: []*http.Cookie{{Name: auth.AccessCookie, Value: tok}}},
		} {
			res := app.Do(req)
			if res.Status != 200 || fmt.Sprint(res.Map(t)) != fmt.Sprint(want) {
				t.Fatalf("me: %s", res)
			}
		}
		profile, err := app.Operadores.OperatorProfile(context.Background(), o.ID)
		if err != nil || !reflect.DeepEqual(profile, o.ToProfile()) {
			t.Fatalf("OperatorProfile: %+v %v", profile, err)
		}
		// A usuario is authenticated but is no operator.
		expectMessage(t, app.Get("/users/me", admin), 403, "Permission required")
	})
}

func TestRoles(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		_, tok := newOperator(t, app, "caja", "1234", role.User)
		res := app.Get("/roles", tok)
		var got []map[string]any
		res.JSON(t, &got)
		want := []map[string]any{
			{"id": adminRole, "role": "admin", "isAdmin": true},
			{"id": liderRole, "role": "lider", "isAdmin": false},
			{"id": userRole, "role": "user", "isAdmin": false},
		}
		if res.Status != 200 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("roles: %s", res)
		}
	})
}

// An operator is only what its role makes it: a cashier or lider operator
// reads the list (as any token may) but no single operator, itself
// included, and changes nothing; an admin operator manages operators.
func TestOperatorTokens(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		cashier, cashierTok := newOperator(t, app, "cashier", "1234", role.User)
		other, _ := newOperator(t, app, "other", "1234", role.User)
		_, bossTok := newOperator(t, app, "boss", "1234", role.Admin)

		for _, id := range []string{other.ID, cashier.ID} {
			expectMessage(t, app.Get("/users/"+id, cashierTok), 403, "Permission required")
		}
		expectMessage(t, app.Put("/users/"+cashier.ID, cashierTok, map[string]any{"role": adminRole}), 403, "Permission required")
		if res := app.Get("/users/"+other.ID, bossTok); res.Status != 200 {
			t.Fatalf("admin operator reads an operator: %s", res)
		}
		res := app.Post("/users", bossTok, map[string]any{"name": "nuevo", "pin": "1234", "role": userRole})
		if res.Status != 201 {
			t.Fatalf("admin operator creates: %s", res)
		}
		// Promotion takes effect at once, for the token already issued.
		if res := app.Put("/users/"+cashier.ID, bossTok, map[string]any{"role": adminRole}); res.Status != 200 {
			t.Fatalf("promote: %s", res)
		}
		if res := app.Get("/users/"+other.ID, cashierTok); res.Status != 200 {
			t.Fatalf("promoted operator: %s", res)
		}
		// A token naming an operator that does not exist is refused.
		ghost := operatorToken(t, app, operador.Operador{ID: missingID, IDRole: role.Admin})
		expectMessage(t, app.Get("/users", ghost), 401, "Unauthorized API access")
	})
}
