package usuario_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// maria is seed 002's registration example.
func maria(email string) map[string]any {
	return map[string]any{
		"email": email, "password": "ClaveFuerte123!", "nombres": "María Elena", "p_apellido": "Quispe",
		"s_apellido": "Condori", "fecha_nacimiento": "1995-03-22", "genero": "F", "name": "maria.quispe", "estado": true,
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func TestRegister(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		cashier := app.Token(role.User)

		res := app.Post("/usuario/register", "", maria("Maria@Kantuta.bo"))
		if res.Status != http.StatusCreated {
			t.Fatalf("register: %s", res)
		}
		u := res.Map(t)
		wantKeys := []string{"id", "name", "email", "estado", "id_user_create", "id_user_update", "created_at", "updated_at", "persona", "role"}
		if len(u) != len(wantKeys) {
			t.Errorf("usuario keys %v, want exactly %v", keys(u), wantKeys)
		}
		if u["email"] != "maria@kantuta.bo" || u["name"] != "maria.quispe" || u["estado"] != true {
			t.Errorf("fields: %v", u)
		}
		p := u["persona"].(map[string]any)
		if p["fecha_nacimiento"] != "1995-03-22" || p["s_apellido"] != "Condori" || p["nombres"] != "María Elena" {
			t.Errorf("persona: %v", p)
		}
		if r := u["role"].(map[string]any); r["id"] != float64(3) || r["nombre"] != "user" || r["descripcion"] != "Cajero estándar" {
			t.Errorf("role: %v", r)
		}
		var welcome int64
		db.Table("mail_outbox").Where("kind = ? AND to_email = ?", "welcome", "maria@kantuta.bo").Count(&welcome)
		if welcome != 1 {
			t.Errorf("want one welcome mail queued with the registration, got %d", welcome)
		}
		if ts := u["created_at"].(string); len(ts) != 24 || !strings.HasSuffix(ts, "Z") || ts[19] != '.' {
			t.Errorf("timestamp %q is not ISO 8601 with milliseconds and Z", ts)
		}

		cases := []struct {
			name   string
			token  string
			body   any
			status int
			want   []string // substrings of the answer
		}{
			{"duplicate email any case", "", maria("MARIA@kantuta.bo"), 409, []string{"El email ya se encuentra registrado"}},
			{"name defaults to the email's local part; s_apellido empty is null", "",
				with(maria("ana.perez@kantuta.bo"), "name", nil, "s_apellido", "", "estado", nil), 201,
				[]string{`"name":"ana.perez"`, `"s_apellido":null`, `"estado":true`}},
			{"every failing field at once", "", map[string]any{"email": "no-es-correo", "password": "corta",
				"fecha_nacimiento": "2999-01-01", "genero": "X", "extra": 1}, 400,
				[]string{"email debe ser un correo válido", "password debe tener al menos 8 bytes", "nombres es requerido",
					"p_apellido es requerido", "fecha_nacimiento no puede ser una fecha futura", "genero debe ser M, F u O",
					"la propiedad extra no está permitida"}},
			{"impossible date", "", with(maria("x1@kantuta.bo"), "fecha_nacimiento", "2023-02-30"), 400, []string{"fecha_nacimiento debe ser una fecha válida"}},
			{"date before 1900", "", with(maria("x2@kantuta.bo"), "fecha_nacimiento", "1899-12-31"), 400, []string{"anterior a 1900-01-01"}},
			{"password over 72 bytes", "", with(maria("x3@kantuta.bo"), "password", strings.Repeat("ñ", 37)), 400, []string{"como máximo 72 bytes"}},
			{"wrong type", "", with(maria("x4@kantuta.bo"), "estado", "si"), 400, []string{"estado debe ser un booleano"}},
			{"id_role without a token", "", with(maria("x5@kantuta.bo"), "id_role", 1), 403, []string{"id_role"}},
			{"id_role from a cashier", cashier, with(maria("x6@kantuta.bo"), "id_role", 1), 403, []string{"id_role"}},
			{"id_role from an admin, as the frontend sends it", admin, with(maria("lider@kantuta.bo"), "id_role", 2, "s_apellido", ""), 201, []string{`"nombre":"lider"`}},
			{"unknown id_role", admin, with(maria("x7@kantuta.bo"), "id_role", 9), 400, []string{"id_role no corresponde"}},
			{"genero O", "", with(maria("otro@kantuta.bo"), "genero", "o"), 201, []string{`"genero":"O"`}},
			{"malformed JSON", "", `{"email":`, 400, []string{`"statusCode":400`}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := app.Post("/usuario/register", tc.token, tc.body)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
				}
				for _, w := range tc.want {
					if !strings.Contains(string(res.Body), w) {
						t.Errorf("answer lacks %q: %s", w, res.Body)
					}
				}
			})
		}
		// The admin who registered the líder is its creator.
		var creator *int64
		db.Table("usuario").Select("id_user_create").Where("email = ?", "lider@kantuta.bo").Scan(&creator)
		if creator == nil {
			t.Error("id_user_create not taken from the admin's token")
		}
	})
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRegistrationClosed(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"REGISTRATION_OPEN": "false"})
	if res := app.Post("/usuario/register", "", maria("a@kantuta.bo")); res.Status != 401 {
		t.Fatalf("closed registration without token: %s", res)
	}
	if res := app.Post("/usuario/register", app.Token(role.User), maria("a@kantuta.bo")); res.Status != 403 {
		t.Fatalf("closed registration as cashier: %s", res)
	}
	if res := app.Post("/usuario/register", app.Token(role.Admin), maria("a@kantuta.bo")); res.Status != 201 {
		t.Fatalf("closed registration as admin: %s", res)
	}
}

// A usuario insert that fails after the persona insert must leave nothing.
func TestRegistrationIsAtomic(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		if db.IsPostgres() {
			db.Exec(`CREATE FUNCTION fail_boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql`)
			db.Exec(`CREATE TRIGGER usuario_boom BEFORE INSERT ON usuario FOR EACH ROW WHEN (NEW.name = 'boom') EXECUTE FUNCTION fail_boom()`)
		} else {
			db.Exec(`CREATE TRIGGER usuario_boom BEFORE INSERT ON usuario WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
		}
		before, mails := count(t, db, "persona"), count(t, db, "mail_outbox")
		res := app.Post("/usuario/register", "", with(maria("boom@kantuta.bo"), "name", "boom"))
		if res.Status != 500 || strings.Contains(string(res.Body), "boom") || !strings.Contains(string(res.Body), "request_id") {
			t.Fatalf("forced failure should be a bare 500 with a request id: %s", res)
		}
		if after := count(t, db, "persona"); after != before {
			t.Fatalf("a persona was left behind: %d → %d", before, after)
		}
		if after := count(t, db, "mail_outbox"); after != mails {
			t.Fatalf("a welcome mail was queued for a registration that failed: %d → %d", mails, after)
		}
	})
}

func count(t *testing.T, db *database.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConcurrentRegistrationsOfOneEmail(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		personas := count(t, db, "persona")
		const n = 50
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- app.Post("/usuario/register", "", maria("same@kantuta.bo")).Status
			}()
		}
		wg.Wait()
		close(statuses)
		got := map[int]int{}
		for s := range statuses {
			got[s]++
		}
		if got[201] != 1 || got[409] != n-1 {
			t.Fatalf("want one 201 and %d × 409, got %v", n-1, got)
		}
		if c := count(t, db, "persona") - personas; c != 1 {
			t.Fatalf("want exactly one new persona, got %d", c)
		}
	})
}

func TestUsuarioRoutes(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		lider := app.Token(role.Lider)
		me, cashier := app.NewUsuario(role.User)
		other, _ := app.NewUsuario(role.User)
		path := func(id int64) string { return fmt.Sprintf("/usuario/%d", id) }

		// List: wrapped, inactive included, optional pagination.
		res := app.Get("/usuario", lider)
		body := res.Map(t)
		if res.Status != 200 || body["status"] != float64(200) || body["message"] != "Listado de usuarios registradas!" || len(body["data"].([]any)) != 5 {
			t.Fatalf("list: %s", res)
		}
		res = app.Get("/usuario?page=2&limit=2", admin)
		body = res.Map(t)
		if res.Status != 200 || body["total"] != float64(5) || body["page"] != float64(2) || len(body["data"].([]any)) != 2 {
			t.Fatalf("paginated list: %s", res)
		}
		for _, q := range []string{"?page=0", "?limit=abc", "?page=-1&limit=5"} {
			if res := app.Get("/usuario"+q, admin); res.Status != 400 {
				t.Errorf("GET /usuario%s: %s", q, res)
			}
		}
		if res := app.Get("/usuario", cashier); res.Status != 403 {
			t.Fatalf("cashier listing: %s", res)
		}

		// Get: admin, lider, self.
		for _, tok := range []string{admin, lider, cashier} {
			res := app.Get(path(me.ID), tok)
			b := res.Map(t)
			if res.Status != 200 || b["message"] != "Usuario encontrado!" || b["data"].(map[string]any)["email"] != me.Email {
				t.Fatalf("get self/admin/lider: %s", res)
			}
		}
		if res := app.Get(path(other.ID), cashier); res.Status != 403 {
			t.Fatalf("cashier reading another usuario: %s", res)
		}
		if res := app.Get("/usuario/99999", admin); res.Status != 404 || !strings.Contains(string(res.Body), "No existen datos de usuario") {
			t.Fatalf("missing usuario: %s", res)
		}
		if res := app.Get("/usuario/abc", admin); res.Status != 400 {
			t.Fatalf("non-numeric id: %s", res)
		}

		// Patch self: name yes; estado/id_role only unchanged (the frontend always sends them).
		res = app.Patch(path(me.ID), cashier, map[string]any{"name": "cajera.uno", "estado": true, "id_role": 3})
		if res.Status != 200 || res.Map(t)["name"] != "cajera.uno" {
			t.Fatalf("self patch: %s", res)
		}
		for _, b := range []map[string]any{{"estado": false}, {"id_role": 1}} {
			if res := app.Patch(path(me.ID), cashier, b); res.Status != 403 {
				t.Fatalf("self patch of %v: %s", b, res)
			}
		}
		if res := app.Patch(path(other.ID), cashier, map[string]any{"name": "x"}); res.Status != 403 {
			t.Fatalf("cashier patching another: %s", res)
		}
		if res := app.Patch(path(me.ID), cashier, map[string]any{"email": other.Email, "currentPassword": "Password123!"}); res.Status != 409 {
			t.Fatalf("patch to a taken email: %s", res)
		}
		if res := app.Patch(path(me.ID), cashier, map[string]any{"email": "nope", "password": "1"}); res.Status != 400 {
			t.Fatalf("patch validation: %s", res)
		}

		// Password change: stored hashed, login works with it.
		res = app.Patch(path(me.ID), cashier, map[string]any{"password": "NuevaClave123", "currentPassword": "Password123!"})
		if res.Status != 200 || strings.Contains(string(res.Body), "NuevaClave123") {
			t.Fatalf("password patch: %s", res)
		}
		var hash string
		db.Table("usuario").Select("password").Where("id = ?", me.ID).Scan(&hash)
		if !strings.HasPrefix(hash, "$2") {
			t.Fatalf("password stored unhashed: %q", hash)
		}
		if res := app.Post("/auth/login", "", map[string]any{"email": me.Email, "password": "NuevaClave123"}); res.Status != 201 {
			t.Fatalf("login with the new password: %s", res)
		}

		// Admin changes role; delete is soft and ends the account's access.
		res = app.Patch(path(other.ID), admin, map[string]any{"id_role": 2})
		if res.Status != 200 || res.Map(t)["role"].(map[string]any)["id"] != float64(2) {
			t.Fatalf("admin role change: %s", res)
		}
		otherTok := app.TokenFor(other)
		res = app.Delete(path(other.ID), admin)
		if res.Status != 200 || res.Map(t)["estado"] != false {
			t.Fatalf("delete: %s", res)
		}
		if res := app.Get(path(other.ID), otherTok); res.Status != 401 {
			t.Fatalf("a deleted usuario's token still works: %s", res)
		}
		if res := app.Delete(path(me.ID), lider); res.Status != 403 {
			t.Fatalf("lider deleting: %s", res)
		}
	})
}

func TestLastAdminCannotBeRemoved(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		// The app's first admin exists; deactivate it so ours is the last one.
		db.Exec("UPDATE usuario SET estado = false WHERE id_role = 1")
		admin, tok := app.NewUsuario(role.Admin)
		path := fmt.Sprintf("/usuario/%d", admin.ID)
		for _, b := range []map[string]any{{"estado": false}, {"id_role": 2}} {
			if res := app.Patch(path, tok, b); res.Status != 409 {
				t.Fatalf("last admin patch %v: %s", b, res)
			}
		}
		if res := app.Delete(path, tok); res.Status != 409 {
			t.Fatalf("last admin delete: %s", res)
		}
		second, _ := app.NewUsuario(role.Admin)
		if res := app.Delete(fmt.Sprintf("/usuario/%d", second.ID), tok); res.Status != 200 {
			t.Fatalf("deleting a non-last admin: %s", res)
		}
		var n int64
		db.Table("usuario").Where("id_role = 1 AND estado").Count(&n)
		if n != 1 {
			t.Fatalf("want one active admin left, got %d", n)
		}
	})
}

func TestNoSecretInAnswersOrLogs(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	res := app.Post("/usuario/register", "", maria("secret@kantuta.bo"))
	login := app.Post("/auth/login", "", map[string]any{"email": "secret@kantuta.bo", "password": "ClaveFuerte123!"})
	tok := login.Map(t)["access_token"].(string)
	list := app.Get("/usuario", app.Token(role.Admin))
	for _, r := range []string{string(res.Body), string(login.Body), string(list.Body)} {
		if strings.Contains(r, "ClaveFuerte123!") || strings.Contains(r, "$2a$") || strings.Contains(r, `"password"`) {
			t.Fatalf("a password or hash is in an answer: %.300s", r)
		}
	}
	logs := app.Logs.String()
	for _, secret := range []string{"ClaveFuerte123!", "$2a$", tok} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log holds a secret (%q)", secret[:6])
		}
	}
	_ = context.Background()
}

// The unpaged list is streamed row by row; it must still be the same list,
// in id order, each item exactly what GET /usuario/:id answers.
func TestListStreamsEveryUsuario(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		for i := 0; i < 40; i++ {
			u, _ := app.NewUsuario(1 + i%3)
			if i%7 == 0 {
				if err := db.Exec("UPDATE usuario SET estado = ? WHERE id = ?", false, u.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		var inDB int64
		db.Table("usuario").Count(&inDB)

		res := app.Get("/usuario", admin)
		body := res.Map(t)
		if res.Status != 200 || body["status"] != float64(200) || body["message"] != "Listado de usuarios registradas!" {
			t.Fatalf("list: %s", res)
		}
		if _, paged := body["total"]; paged {
			t.Fatalf("an unpaged list carries page fields: %s", res)
		}
		data := body["data"].([]any)
		if int64(len(data)) != inDB || inDB < 41 {
			t.Fatalf("list has %d usuarios, the database %d", len(data), inDB)
		}
		inactive := 0
		for i, item := range data {
			got := item.(map[string]any)
			id := int64(got["id"].(float64))
			if i > 0 && id <= int64(data[i-1].(map[string]any)["id"].(float64)) {
				t.Fatalf("not in id order at %d: %v", i, id)
			}
			if _, leaked := got["password"]; leaked {
				t.Fatalf("password in the list: %v", got)
			}
			if got["estado"] == false {
				inactive++
			}
			one := app.Get(fmt.Sprintf("/usuario/%d", id), admin).Map(t)["data"]
			if !reflect.DeepEqual(one, item) {
				t.Fatalf("list item %d differs from GET /usuario/%d:\n%v\n%v", i, id, item, one)
			}
		}
		if inactive != 6 {
			t.Fatalf("want the 6 inactive usuarios listed, got %d", inactive)
		}
	})
}
