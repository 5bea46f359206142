package usuario_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
	"github.com/kantuta/kantuta/internal/usuario"
)

// TestJSONAppendMatchesEncoding: the hand-written usuario JSON is the bytes
// encoding/json writes for the same value, edge strings and nulls included.
func TestJSONAppendMatchesEncoding(t *testing.T) {
	s, d, one := "Cóndori <&> \"x\"\u2028", "Cajero\testándar", int64(1)
	la, _ := time.LoadLocation("America/La_Paz")
	cases := []usuario.Usuario{
		{},
		{ID: 202, Name: "maría\x00\xff", Email: "m@k.bo", Estado: true, IDUserCreate: &one, IDUserUpdate: &one,
			CreatedAt: time.Date(2026, 12, 1, 23, 59, 59, 999_999_999, la), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC),
			Persona: persona.Persona{ID: 7, Nombres: "José</script>", PApellido: "Ñ", SApellido: &s,
				FechaNacimiento: time.Date(1995, 3, 22, 0, 0, 0, 0, time.UTC), Genero: "F", Estado: true, IDUserCreate: &one},
			Role: role.Role{ID: 3, Nombre: "user", Descripcion: &d}},
	}
	for i, u := range cases {
		want, err := json.Marshal(u.ToJSON())
		if err != nil {
			t.Fatal(err)
		}
		if got := u.ToJSON().AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestListBytesUnchanged: GET /usuario (streamed) and GET /usuario/:id,
// written by hand, send exactly what encoding/json sends for the same rows.
func TestListBytesUnchanged(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		for i, name := range []string{"Ana <b>&</b>", "José \"Pepe\"", "Ñandú\u2029", "plain"} {
			body := maria(fmt.Sprintf("wire%d@kantuta.bo", i))
			body["nombres"], body["name"] = name, fmt.Sprintf("wire.%d", i)
			if i%2 == 1 {
				delete(body, "s_apellido")
			}
			if res := app.Post("/usuario/register", "", body); res.Status != http.StatusCreated {
				t.Fatalf("register: %s", res)
			}
		}
		var items [][]byte
		err := usuario.NewStore(db).Each(context.Background(), func(u usuario.Usuario, _ int64) error {
			b, err := json.Marshal(u.ToJSON())
			items = append(items, b)
			return err
		})
		if err != nil || len(items) < 5 {
			t.Fatalf("store: %d rows, %v", len(items), err)
		}
		want := []byte(`{"status":200,"message":"Listado de usuarios registradas!","data":[` + string(bytes.Join(items, []byte(","))) + "]}\n")
		res := app.Get("/usuario", admin)
		if res.Status != http.StatusOK || !bytes.Equal(res.Body, want) {
			t.Fatalf("GET /usuario:\n got %s\nwant %s", res.Body, want)
		}
		u, err := usuario.NewStore(db).ByEmail(context.Background(), "wire2@kantuta.bo")
		if err != nil {
			t.Fatal(err)
		}
		var one bytes.Buffer
		_ = json.NewEncoder(&one).Encode(map[string]any{"status": 200, "message": "Usuario encontrado!", "data": u.ToJSON()})
		res = app.Get(fmt.Sprintf("/usuario/%d", u.ID), admin)
		if res.Status != http.StatusOK || !bytes.Equal(res.Body, one.Bytes()) {
			t.Fatalf("GET /usuario/:id:\n got %s\nwant %s", res.Body, one.Bytes())
		}
	})
}
