package persona_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

func ana() map[string]any {
	return map[string]any{"nombres": "Ana", "p_apellido": "Mamani", "s_apellido": "Condori", "fecha_nacimiento": "1990-06-15", "genero": "F"}
}

func TestPersonaRoutes(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		lider := app.Token(role.Lider)
		me, cashier := app.NewUsuario(role.User)

		res := app.Post("/persona", "", ana())
		body := res.Map(t)
		if res.Status != 201 || body["status"] != float64(200) || body["message"] != "Se creó la persona con éxito!" {
			t.Fatalf("create: %s", res)
		}
		created := body["data"].(map[string]any)
		id := int64(created["id"].(float64))
		if created["fecha_nacimiento"] != "1990-06-15" || created["estado"] != true || created["id_user_create"] != nil {
			t.Fatalf("created persona: %v", created)
		}
		for _, tc := range []struct {
			body any
			want []string
		}{
			{map[string]any{}, []string{"nombres es requerido", "p_apellido es requerido", "fecha_nacimiento es requerido", "genero es requerido"}},
			{map[string]any{"nombres": strings.Repeat("a", 101), "p_apellido": "b", "fecha_nacimiento": "15/06/1990", "genero": "M", "id": 3},
				[]string{"nombres debe tener como máximo 100 caracteres", "fecha_nacimiento debe ser una fecha válida", "la propiedad id no está permitida"}},
		} {
			res := app.Post("/persona", "", tc.body)
			if res.Status != 400 {
				t.Fatalf("invalid create: %s", res)
			}
			msgs := fmt.Sprint(res.Map(t)["message"])
			for _, w := range tc.want {
				if !strings.Contains(msgs, w) {
					t.Errorf("messages %s lack %q", msgs, w)
				}
			}
		}

		// Get: bare, token needed, own or admin/lider only.
		path := fmt.Sprintf("/persona/%d", id)
		if res := app.Get(path, ""); res.Status != 401 {
			t.Fatalf("anonymous get: %s", res)
		}
		if res := app.Get(path, lider); res.Status != 200 || res.Map(t)["nombres"] != "Ana" {
			t.Fatalf("lider get: %s", res)
		}
		if res := app.Get(path, cashier); res.Status != 403 {
			t.Fatalf("cashier reading a stranger: %s", res)
		}
		if res := app.Get(fmt.Sprintf("/persona/%d", me.IDPersona), cashier); res.Status != 200 {
			t.Fatalf("cashier reading own persona: %s", res)
		}
		if res := app.Get("/persona/424242", admin); res.Status != 404 || !strings.Contains(string(res.Body), "No existen datos de la persona") {
			t.Fatalf("missing persona: %s", res)
		}

		// List.
		res = app.Get("/persona", admin)
		list := res.Map(t)
		if res.Status != 200 || list["message"] != "Listado de personas registradas!" || list["status"] != float64(200) {
			t.Fatalf("list: %s", res)
		}
		// Streamed row by row, it is still every persona in id order, each
		// exactly what GET /persona/:id answers.
		var inDB int64
		db.Table("persona").Count(&inDB)
		items := list["data"].([]any)
		if int64(len(items)) != inDB {
			t.Fatalf("list has %d personas, the database %d", len(items), inDB)
		}
		prev := 0.0
		for _, it := range items {
			item := it.(map[string]any)
			if item["id"].(float64) <= prev {
				t.Fatalf("not in id order: %v after %v", item["id"], prev)
			}
			prev = item["id"].(float64)
			one := app.Get(fmt.Sprintf("/persona/%.0f", prev), admin).Map(t)
			if !reflect.DeepEqual(one, item) {
				t.Fatalf("list item differs from GET /persona/%.0f:\n%v\n%v", prev, item, one)
			}
		}

		// PUT with id in the body, only given fields; id_user_update from the token.
		res = app.Put("/persona", cashier, map[string]any{"id": me.IDPersona, "nombres": "Rosa", "id_user_update": 999})
		updated := res.Map(t)
		if res.Status != 200 || updated["nombres"] != "Rosa" || updated["p_apellido"] != me.Persona.PApellido ||
			updated["id_user_update"] != float64(me.ID) {
			t.Fatalf("own update: %s", res)
		}
		if res := app.Put("/persona", cashier, map[string]any{"id": id, "nombres": "X"}); res.Status != 403 {
			t.Fatalf("cashier updating a stranger: %s", res)
		}
		if res := app.Put("/persona", admin, map[string]any{"id": id, "s_apellido": "", "genero": "o"}); res.Status != 200 ||
			res.Map(t)["s_apellido"] != nil || !strings.Contains(string(res.Body), `"genero":"O"`) {
			t.Fatalf("admin update clearing s_apellido: %s", res)
		}
		if res := app.Put("/persona", admin, map[string]any{"nombres": "sin id"}); res.Status != 400 {
			t.Fatalf("PUT without id: %s", res)
		}
		if res := app.Put("/persona", admin, map[string]any{"id": 777777, "nombres": "x"}); res.Status != 404 {
			t.Fatalf("PUT unknown id: %s", res)
		}
		if res := app.Put("/persona", admin, map[string]any{"id": id, "nombres": "", "fecha_nacimiento": "2100-01-01"}); res.Status != 400 {
			t.Fatalf("PUT invalid fields: %s", res)
		}

		// Delete: 409 while it backs an active usuario, soft otherwise.
		if res := app.Delete(fmt.Sprintf("/persona/%d", me.IDPersona), admin); res.Status != 409 {
			t.Fatalf("delete of an active usuario's persona: %s", res)
		}
		res = app.Delete(path, admin)
		if res.Status != 200 || res.Map(t)["estado"] != false {
			t.Fatalf("delete: %s", res)
		}
		var estado bool
		db.Table("persona").Select("estado").Where("id = ?", id).Scan(&estado)
		if estado {
			t.Fatal("persona still active in the database")
		}
	})
}

func TestPersonaPublicLookup(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"PERSONA_PUBLIC_LOOKUP": "true"})
	res := app.Post("/persona", "", ana())
	id := res.Map(t)["data"].(map[string]any)["id"]
	if res := app.Get(fmt.Sprintf("/persona/%v", id), ""); res.Status != 200 {
		t.Fatalf("public lookup: %s", res)
	}
}

func TestPersonaCreateIsRateLimited(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"RATE_LIMIT_PUBLIC": "2/min"})
	for i := 0; i < 2; i++ {
		if res := app.Post("/persona", "", ana()); res.Status != 201 {
			t.Fatalf("create %d: %s", i, res)
		}
	}
	if res := app.Post("/persona", "", ana()); res.Status != 429 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("3rd create: %s", res)
	}
}
