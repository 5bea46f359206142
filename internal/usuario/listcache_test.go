package usuario_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestListCacheFollowsEveryChange: GET /usuario is served from a kept copy,
// and every change to a usuario, persona or role — through this process,
// another replica on the same database, or SQL by hand — shows in the next
// answer of every replica.
func TestListCacheFollowsEveryChange(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		a := testkit.NewApp(t, db)
		b := testkit.NewApp(t, db) // a second replica with its own cache
		admin := a.Token(role.Admin)
		list := func(app *testkit.App) string {
			t.Helper()
			res := app.Get("/usuario", admin)
			if res.Status != http.StatusOK {
				t.Fatalf("GET /usuario: %s", res)
			}
			return string(res.Body)
		}
		res := a.Post("/usuario/register", "", maria("cache@kantuta.bo"))
		if res.Status != http.StatusCreated {
			t.Fatalf("register: %s", res)
		}
		id := int64(res.Map(t)["id"].(float64))
		first := list(a)
		if again := list(a); again != first {
			t.Fatalf("two reads without a change differ")
		}
		list(b)
		steps := []struct {
			name   string
			change func()
			want   string
		}{
			{"PATCH usuario on replica b", func() {
				if res := b.Patch(fmt.Sprintf("/usuario/%d", id), admin, map[string]any{"name": "renombrada.b"}); res.Status != http.StatusOK {
					t.Fatalf("patch: %s", res)
				}
			}, `"name":"renombrada.b"`},
			{"persona by SQL", func() {
				if err := db.Exec("UPDATE persona SET nombres = ? WHERE id = (SELECT id_persona FROM usuario WHERE id = ?)", "Por SQL", id).Error; err != nil {
					t.Fatal(err)
				}
			}, `"nombres":"Por SQL"`},
			{"role by SQL", func() {
				if err := db.Exec("UPDATE role SET descripcion = ? WHERE id = ?", "Cajera de turno", role.User).Error; err != nil {
					t.Fatal(err)
				}
			}, `"descripcion":"Cajera de turno"`},
			{"register on replica b", func() {
				if res := b.Post("/usuario/register", "", maria("otra@kantuta.bo")); res.Status != http.StatusCreated {
					t.Fatalf("register: %s", res)
				}
			}, `"email":"otra@kantuta.bo"`},
		}
		for _, s := range steps {
			s.change()
			for name, app := range map[string]*testkit.App{"a": a, "b": b} {
				if got := list(app); !strings.Contains(got, s.want) {
					t.Errorf("%s: replica %s still answers without %s", s.name, name, s.want)
				}
			}
		}
		if res := a.Delete(fmt.Sprintf("/usuario/%d", id), admin); res.Status != http.StatusOK {
			t.Fatalf("delete: %s", res)
		}
		if got := list(b); strings.Contains(got, "cache@kantuta.bo") && !strings.Contains(got, `"estado":false`) {
			t.Errorf("delete on a: replica b still lists the usuario as it was")
		}
	})
}

// TestListCompressed: the list goes gzip-compressed to a client that asks,
// the same bytes once decompressed, plain to one that does not (or refuses
// gzip), and small answers are never compressed.
func TestListCompressed(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		for i := 0; i < 10; i++ {
			if res := app.Post("/usuario/register", "", maria(fmt.Sprintf("gz%d@kantuta.bo", i))); res.Status != http.StatusCreated {
				t.Fatalf("register: %s", res)
			}
		}
		get := func(path, ae string) *testkit.Response {
			return app.Do(testkit.Request{Method: http.MethodGet, Path: path, Token: admin, Header: map[string]string{"Accept-Encoding": ae}})
		}
		for round := 0; round < 2; round++ { // the first answer is streamed, the second comes from the cache
			plain := get("/usuario", "")
			if plain.Status != http.StatusOK || plain.Header.Get("Content-Encoding") != "" || len(plain.Body) < 4000 {
				t.Fatalf("round %d plain: %d %q %d bytes", round, plain.Status, plain.Header.Get("Content-Encoding"), len(plain.Body))
			}
			for _, ae := range []string{"gzip", "gzip, deflate, br, zstd", "*", "identity;q=0.5, gzip;q=0.8"} {
				res := get("/usuario", ae)
				if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
					t.Fatalf("round %d %q: headers %v", round, ae, res.Header)
				}
				zr, err := gzip.NewReader(bytes.NewReader(res.Body))
				if err != nil {
					t.Fatalf("round %d %q: not gzip: %v", round, ae, err)
				}
				body, _ := io.ReadAll(zr)
				if !bytes.Equal(body, plain.Body) || len(res.Body)*4 > len(plain.Body) {
					t.Fatalf("round %d %q: %d compressed bytes give %d, want the %d plain ones", round, ae, len(res.Body), len(body), len(plain.Body))
				}
			}
			for _, ae := range []string{"gzip;q=0", "br", "identity", "*, gzip;q=0"} {
				if res := get("/usuario", ae); res.Header.Get("Content-Encoding") != "" || !bytes.Equal(res.Body, plain.Body) {
					t.Fatalf("round %d %q: compressed anyway (%q)", round, ae, res.Header.Get("Content-Encoding"))
				}
			}
		}
		if res := get("/usuario/1", "gzip"); res.Status != http.StatusOK || res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("a small answer was compressed: %d %q", res.Status, res.Header.Get("Content-Encoding"))
		}
		if res := get("/api/pos/clientes/type", "gzip"); res.Status != http.StatusOK {
			t.Fatalf("clientes/type: %s", res)
		}
	})
}

// TestLookupCacheFollowsEveryChange: GET /usuario/:id is kept per id and
// shows every change at once, on every replica.
func TestLookupCacheFollowsEveryChange(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		a, b := testkit.NewApp(t, db), testkit.NewApp(t, db)
		admin := a.Token(role.Admin)
		res := a.Post("/usuario/register", "", maria("uno@kantuta.bo"))
		if res.Status != http.StatusCreated {
			t.Fatalf("register: %s", res)
		}
		path := fmt.Sprintf("/usuario/%d", int64(res.Map(t)["id"].(float64)))
		get := func(app *testkit.App) string {
			t.Helper()
			res := app.Get(path, admin)
			if res.Status != http.StatusOK {
				t.Fatalf("GET %s: %s", path, res)
			}
			return string(res.Body)
		}
		first := get(a)
		if get(a) != first || get(b) != first {
			t.Fatal("repeated lookups differ")
		}
		if res := b.Patch(path, admin, map[string]any{"name": "cambiada"}); res.Status != http.StatusOK {
			t.Fatalf("patch: %s", res)
		}
		if !strings.Contains(get(a), `"name":"cambiada"`) {
			t.Error("replica a kept the lookup after a change on b")
		}
		if err := db.Exec("UPDATE persona SET p_apellido = 'Por SQL' WHERE id = (SELECT id_persona FROM usuario WHERE email = 'uno@kantuta.bo')").Error; err != nil {
			t.Fatal(err)
		}
		for name, app := range map[string]*testkit.App{"a": a, "b": b} {
			if !strings.Contains(get(app), `"p_apellido":"Por SQL"`) {
				t.Errorf("replica %s kept the lookup after a change by SQL", name)
			}
		}
		if res := a.Get("/usuario/999999", admin); res.Status != http.StatusNotFound {
			t.Fatalf("unknown id: %s", res)
		}
	})
}
