package inventario_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestProductos(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		a := e.app
		cat := e.categoria("Cargadores")
		e.events.take()

		m := e.expect(a.Post("/inventario/producto", e.lider, map[string]any{
			"nombre": " Cargador 20W ", "codigo_barras": "", "precio_venta": 85.5, "costo_compra": 45,
			"stock_actual": 20, "stock_minimo": 5, "id_categoria": cat, "id_user_create": 77,
		}), http.StatusCreated)
		p1 := id(m)
		if m["nombre"] != "Cargador 20W" || m["codigo_barras"] != nil || m["precio_venta"] != "85.50" || m["costo_compra"] != "45.00" ||
			m["stock_actual"] != float64(20) || m["stock_minimo"] != float64(5) || m["id_categoria"] != float64(cat) ||
			m["createdAt"] != m["created_at"] || m["updatedAt"] != m["updated_at"] || m["id_user_create"] == float64(77) {
			t.Fatalf("created: %v", m)
		}
		if c, _ := m["categoria"].(map[string]any); c == nil || c["nombre"] != "Cargadores" {
			t.Fatalf("categoria: %v", m["categoria"])
		}
		e.wantEvents("producto/creado")
		// ALTA movement.
		if e.scalar("SELECT COUNT(*) FROM movimiento_stock WHERE id_producto = ? AND tipo = 'ALTA' AND cantidad = 20", p1) != 1 {
			t.Fatal("no ALTA movement")
		}

		// A second product with a blank code saves (codigo_barras "" → null).
		p2 := id(e.producto(map[string]any{"nombre": "Funda", "codigo_barras": "", "id_categoria": cat, "stock_actual": 0}))
		e.events.take()
		// Duplicates among active rows.
		e.expectMsg(a.Post("/inventario/producto", e.admin, map[string]any{"nombre": "cargador 20w", "precio_venta": 1, "costo_compra": 1,
			"stock_actual": 1, "stock_minimo": 1, "id_categoria": cat}), http.StatusConflict, "Ya existe un producto con ese nombre")
		e.expect(a.Patch("/inventario/producto/"+itoa(p1), e.admin, map[string]any{"codigo_barras": " 7750001 ", "precio_venta": 12}), http.StatusOK)
		e.expectMsg(a.Patch("/inventario/producto/"+itoa(p2), e.admin, map[string]any{"codigo_barras": "7750001"}), http.StatusConflict, "Ya existe un producto con ese código de barras")
		e.expectMsg(a.Post("/inventario/producto", e.admin, map[string]any{"nombre": "Otro", "codigo_barras": "7750001", "precio_venta": 1, "costo_compra": 1,
			"stock_actual": 1, "stock_minimo": 1, "id_categoria": cat}), http.StatusConflict, "Ya existe un producto con ese código de barras")
		e.events.take()

		// Validation messages, in field order.
		full := func(over map[string]any) map[string]any {
			b := map[string]any{"nombre": "Nuevo", "precio_venta": 1, "costo_compra": 1, "stock_actual": 1, "stock_minimo": 1, "id_categoria": cat}
			for k, v := range over {
				if v == "<absent>" {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		cases := []struct {
			body any
			msg  string
		}{
			{map[string]any{}, "nombre es requerido | precio_venta es requerido | costo_compra es requerido | stock_actual es requerido | stock_minimo es requerido | id_categoria es requerido"},
			{full(map[string]any{"precio_venta": "10"}), "precio_venta debe ser un número"},
			{full(map[string]any{"precio_venta": -1}), "precio_venta no debe ser menor que 0"},
			{full(map[string]any{"precio_venta": 10.123}), "precio_venta debe tener como máximo 2 decimales"},
			{full(map[string]any{"precio_venta": 1e10}), "precio_venta no debe ser mayor que 9999999999.99"},
			{full(map[string]any{"costo_compra": nil}), "costo_compra no debe estar vacío"},
			{full(map[string]any{"stock_actual": 1.5}), "stock_actual debe ser un número entero"},
			{full(map[string]any{"stock_actual": -1}), "stock_actual no debe ser menor que 0"},
			{full(map[string]any{"stock_actual": 2147483648}), "stock_actual no debe ser mayor que 2147483647"},
			{full(map[string]any{"stock_minimo": "3"}), "stock_minimo debe ser un número entero"},
			{full(map[string]any{"id_categoria": "x"}), "id_categoria debe ser un número entero"},
			{full(map[string]any{"id_categoria": 0}), "id_categoria debe ser mayor que 0"},
			{full(map[string]any{"codigo_barras": strings.Repeat("1", 65)}), "codigo_barras debe tener como máximo 64 caracteres"},
			{full(map[string]any{"nombre": strings.Repeat("a", 151)}), "nombre debe tener como máximo 150 caracteres"},
			{full(map[string]any{"nombre": nil, "stock_actual": -2, "extra": 1}), "nombre no debe estar vacío | stock_actual no debe ser menor que 0 | la propiedad extra no está permitida"},
		}
		for _, c := range cases {
			e.expectMsg(a.Post("/inventario/producto", e.admin, c.body), http.StatusBadRequest, c.msg)
		}
		e.expectMsg(a.Post("/inventario/producto", e.admin, full(map[string]any{"id_categoria": 98765})), http.StatusNotFound, "Categoría con id 98765 no encontrada o inactiva")
		e.expectMsg(a.Post("/inventario/producto", e.user, full(nil)), http.StatusForbidden, "Forbidden resource")
		e.wantEvents()
		if n := e.scalar("SELECT COUNT(*) FROM producto"); n != 2 {
			t.Fatalf("%d productos after refused creates", n)
		}

		// PATCH: {} unchanged; null refused; stock as an absolute AJUSTE.
		before := e.expect(a.Get("/inventario/producto/"+itoa(p1), e.user), http.StatusOK)
		after := e.expect(a.Patch("/inventario/producto/"+itoa(p1), e.admin, map[string]any{}), http.StatusOK)
		if before["updated_at"] != after["updated_at"] || after["precio_venta"] != "12.00" || after["codigo_barras"] != "7750001" {
			t.Fatalf("PATCH {}: %v → %v", before, after)
		}
		e.wantEvents()
		e.expectMsg(a.Patch("/inventario/producto/"+itoa(p1), e.admin, map[string]any{"precio_venta": nil, "stock_minimo": nil}), http.StatusBadRequest,
			"precio_venta no debe estar vacío | stock_minimo no debe estar vacío")
		m = e.expect(a.Patch("/inventario/producto/"+itoa(p1), e.admin, map[string]any{"stock_actual": 8, "codigo_barras": nil, "id_user_update": 3}), http.StatusOK)
		if m["stock_actual"] != float64(8) || m["codigo_barras"] != nil || m["id_user_update"] != float64(e.adminID) {
			t.Fatalf("patched: %v", m)
		}
		e.wantEvents("producto/actualizado")
		if e.scalar("SELECT cantidad FROM movimiento_stock WHERE id_producto = ? AND tipo = 'AJUSTE'", p1) != -12 {
			t.Fatal("AJUSTE movement is not -12")
		}
		// The same value again: no movement.
		e.expect(a.Patch("/inventario/producto/"+itoa(p1), e.admin, map[string]any{"stock_actual": 8}), http.StatusOK)
		if e.scalar("SELECT COUNT(*) FROM movimiento_stock WHERE id_producto = ? AND tipo = 'AJUSTE'", p1) != 1 {
			t.Fatal("a no-op AJUSTE wrote a movement")
		}
		e.events.take()
		e.expectMsg(a.Patch("/inventario/producto/"+itoa(p1), e.admin, map[string]any{"id_categoria": 4444}), http.StatusNotFound, "Categoría con id 4444 no encontrada o inactiva")
		e.expectMsg(a.Patch("/inventario/producto/4444", e.admin, map[string]any{"id_categoria": 4444}), http.StatusNotFound, "Producto con id 4444 no encontrado o inactivo")
		e.expectMsg(a.Patch("/inventario/producto/4444", e.admin, map[string]any{"stock_actual": -1}), http.StatusBadRequest, "stock_actual no debe ser menor que 0")

		// Filters.
		e.producto(map[string]any{"nombre": "Cámara 50% HD", "codigo_barras": "ABC_123", "id_categoria": cat, "stock_actual": 2, "stock_minimo": 3})
		cat2 := e.categoria("Otros")
		e.producto(map[string]any{"nombre": "Camarón", "id_categoria": cat2, "stock_actual": 10, "stock_minimo": 1})
		names := func(q string) string {
			t.Helper()
			var list []map[string]any
			res := a.Get("/inventario/producto"+q, e.user)
			if res.Status != http.StatusOK {
				t.Fatalf("GET %s: %s", q, res)
			}
			res.JSON(t, &list)
			var out []string
			for _, p := range list {
				out = append(out, p["nombre"].(string))
			}
			return strings.Join(out, ",")
		}
		checks := map[string]string{
			"":                                "Camarón,Cámara 50% HD,Funda,Cargador 20W",
			"?q=CAMARA":                       "Cámara 50% HD",
			"?q=" + url.QueryEscape("cám"):    "Camarón,Cámara 50% HD",
			"?q=" + url.QueryEscape("50%"):    "Cámara 50% HD",
			"?q=" + url.QueryEscape("%"):      "Cámara 50% HD",
			"?q=" + url.QueryEscape("c_mara"): "",
			"?q=abc_1":                        "Cámara 50% HD",
			"?q=7750":                         "",
			"?id_categoria=" + itoa(cat2):     "Camarón",
			"?bajo_stock=true":                "Cámara 50% HD,Funda",
			"?bajo_stock=true&id_categoria=" + itoa(cat): "Cámara 50% HD,Funda",
			"?bajo_stock=false&q=":                       "Camarón,Cámara 50% HD,Funda,Cargador 20W",
		}
		for q, want := range checks {
			if got := names(q); got != want {
				t.Errorf("GET /inventario/producto%s = %q, want %q", q, got, want)
			}
		}
		e.expectMsg(a.Get("/inventario/producto?id_categoria=x", e.user), http.StatusBadRequest, "id_categoria debe ser un número entero positivo")
		e.expectMsg(a.Get("/inventario/producto?bajo_stock=1", e.user), http.StatusBadRequest, "bajo_stock debe ser true o false")

		// Delete: 200 empty, then 404 everywhere; name and code free again.
		e.events.take()
		res := a.Delete("/inventario/producto/"+itoa(p2), e.lider)
		if res.Status != http.StatusOK || len(res.Body) != 0 {
			t.Fatalf("delete: %s", res)
		}
		e.wantEvents("producto/eliminado")
		e.expectMsg(a.Get("/inventario/producto/"+itoa(p2), e.user), http.StatusNotFound, "Producto con id "+itoa(p2)+" no encontrado o inactivo")
		e.expect(a.Delete("/inventario/producto/"+itoa(p2), e.lider), http.StatusNotFound)
		e.expect(a.Patch("/inventario/producto/"+itoa(p2), e.lider, map[string]any{"nombre": "Funda 2"}), http.StatusNotFound)
		e.producto(map[string]any{"nombre": "funda", "id_categoria": cat})
		e.invariant()
	})
}
