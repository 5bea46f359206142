package inventario_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestCategorias(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		a := e.app

		// Create: trimmed, audit id from the token (the body's is ignored).
		m := e.expect(a.Post("/inventario/categorias", e.lider, map[string]any{"nombre": "  Cargadores ", "id_user_create": 999}), http.StatusCreated)
		cid := id(m)
		if m["nombre"] != "Cargadores" || m["estado"] != true || m["id_user_create"] == float64(999) || m["id_user_update"] != nil {
			t.Fatalf("created: %v", m)
		}
		for _, k := range []string{"created_at", "updated_at"} {
			if s, _ := m[k].(string); len(s) != 24 || !strings.HasSuffix(s, "Z") {
				t.Fatalf("%s = %v", k, m[k])
			}
		}
		e.wantEvents("category/creado")

		// Unique among active rows, case- and space-insensitive.
		e.expectMsg(a.Post("/inventario/categorias", e.admin, map[string]any{"nombre": "cargadores "}), http.StatusConflict, "Ya existe una categoría con ese nombre")
		e.wantEvents()

		// Validation, every message.
		cases := []struct {
			body any
			msg  string
		}{
			{map[string]any{}, "nombre es requerido"},
			{map[string]any{"nombre": 12}, "nombre debe ser un texto"},
			{map[string]any{"nombre": "   "}, "nombre no debe estar vacío"},
			{map[string]any{"nombre": nil}, "nombre no debe estar vacío"},
			{map[string]any{"nombre": strings.Repeat("ñ", 101)}, "nombre debe tener como máximo 100 caracteres"},
			{map[string]any{"nombre": "X", "color": "rojo"}, "la propiedad color no está permitida"},
			{map[string]any{"nombre": "X", "id_user_create": "yo"}, "id_user_create debe ser un número entero"},
		}
		for _, c := range cases {
			e.expectMsg(a.Post("/inventario/categorias", e.admin, c.body), http.StatusBadRequest, c.msg)
		}
		e.expect(a.Post("/inventario/categorias", e.admin, map[string]any{"nombre": strings.Repeat("ñ", 100), "id_user_update": nil}), http.StatusCreated)
		e.events.take()

		// Reads: any usuario role; 404 text; bad id.
		e.expect(a.Get("/inventario/categorias/"+itoa(cid), e.user), http.StatusOK)
		e.expectMsg(a.Get("/inventario/categorias/987654", e.user), http.StatusNotFound, "Categoría con id 987654 no encontrada o inactiva")
		e.expectMsg(a.Get("/inventario/categorias/abc", e.user), http.StatusBadRequest, "id debe ser un número entero positivo")
		e.expectMsg(a.Get("/inventario/categorias/0", e.user), http.StatusBadRequest, "id debe ser un número entero positivo")

		// Roles: cashier and operator cannot write; operator cannot read.
		e.expectMsg(a.Post("/inventario/categorias", e.user, map[string]any{"nombre": "Z"}), http.StatusForbidden, "Forbidden resource")
		e.expectMsg(a.Get("/inventario/categorias", e.operatorToken()), http.StatusForbidden, "Forbidden resource")
		e.expect(a.Get("/inventario/categorias", ""), http.StatusUnauthorized)

		// PATCH: {} leaves it unchanged, no event.
		before := e.expect(a.Get("/inventario/categorias/"+itoa(cid), e.user), http.StatusOK)
		after := e.expect(a.Patch("/inventario/categorias/"+itoa(cid), e.admin, map[string]any{}), http.StatusOK)
		if before["updated_at"] != after["updated_at"] || after["nombre"] != "Cargadores" {
			t.Fatalf("PATCH {} changed: %v → %v", before, after)
		}
		e.wantEvents()
		m = e.expect(a.Patch("/inventario/categorias/"+itoa(cid), e.admin, map[string]any{"nombre": "Cargadores USB", "id_user_update": 5}), http.StatusOK)
		if m["nombre"] != "Cargadores USB" || m["id_user_update"] != float64(e.adminID) {
			t.Fatalf("patched: %v", m)
		}
		e.wantEvents("category/actualizado")
		e.expectMsg(a.Patch("/inventario/categorias/"+itoa(cid), e.admin, map[string]any{"nombre": nil}), http.StatusBadRequest, "nombre no debe estar vacío")
		other := e.categoria("Fundas")
		e.events.take()
		e.expectMsg(a.Patch("/inventario/categorias/"+itoa(other), e.admin, map[string]any{"nombre": "CARGADORES usb"}), http.StatusConflict, "Ya existe una categoría con ese nombre")

		// List: active, id desc.
		var list []map[string]any
		a.Get("/inventario/categorias", e.user).JSON(t, &list)
		if len(list) != 3 || id(list[0]) != other || id(list[2]) != cid {
			t.Fatalf("list: %v", list)
		}

		// Delete: refused while it has active products; then 200 empty.
		p := e.producto(map[string]any{"nombre": "Cargador 20W", "id_categoria": cid})
		e.events.take()
		e.expectMsg(a.Delete("/inventario/categorias/"+itoa(cid), e.admin), http.StatusConflict, "La categoría tiene productos activos")
		e.expect(a.Delete("/inventario/producto/"+itoa(id(p)), e.admin), http.StatusOK)
		res := a.Delete("/inventario/categorias/"+itoa(cid), e.admin)
		if res.Status != http.StatusOK || len(res.Body) != 0 {
			t.Fatalf("delete: %s", res)
		}
		e.wantEvents("producto/eliminado", "category/eliminado")
		if e.scalar("SELECT id_user_update FROM categoria WHERE id = ?", cid) != e.adminID {
			t.Fatal("delete did not record the usuario")
		}
		e.expectMsg(a.Get("/inventario/categorias/"+itoa(cid), e.user), http.StatusNotFound, "Categoría con id "+itoa(cid)+" no encontrada o inactiva")
		e.expect(a.Patch("/inventario/categorias/"+itoa(cid), e.admin, map[string]any{"nombre": "Otra"}), http.StatusNotFound)
		e.expect(a.Delete("/inventario/categorias/"+itoa(cid), e.admin), http.StatusNotFound)
		// Its name is free again.
		e.expect(a.Post("/inventario/categorias", e.admin, map[string]any{"nombre": "cargadores usb"}), http.StatusCreated)
	})
}
