package inventario_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

// One outbox mail per recipient per low-stock episode, queued in the
// transaction that made the product low, re-armed when it recovers.
func TestLowStockAlerts(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		a := e.app
		mails := func() int64 { return e.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'stock_bajo'") }
		cat := e.categoria("Snacks")

		// No contact with an email: the active admins receive it.
		p := id(e.producto(map[string]any{"nombre": "Papas", "id_categoria": cat, "stock_actual": 3, "stock_minimo": 3}))
		admins := e.scalar("SELECT COUNT(*) FROM usuario WHERE id_role = 1 AND estado")
		if got := mails(); got != admins {
			t.Fatalf("%d alert mails at creation, want one per admin (%d)", got, admins)
		}
		e.wantEvents("category/creado", "producto/creado", "producto/stock_bajo")
		var subject, body string
		if err := db.Raw("SELECT subject, body_text FROM mail_outbox WHERE kind = 'stock_bajo' ORDER BY id LIMIT 1").Row().Scan(&subject, &body); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Producto: Papas", "Stock actual: 3", "Stock mínimo: 3", "Categoría: Snacks", "Por favor, realizar el reabastecimiento a la brevedad."} {
			if !strings.Contains(body, want) {
				t.Errorf("alert body lacks %q:\n%s", want, body)
			}
		}
		if subject != "Alerta de stock bajo: Papas" {
			t.Errorf("subject %q", subject)
		}

		// Contacts with an email replace the admins; one without, or one
		// inactive, or one not receiving stock alerts, gets nothing.
		e.expect(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": "Ruddy M.", "telefono": "70000001", "email": "ruddy@kantuta.test"}), http.StatusCreated)
		e.expect(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": "Ana", "telefono": "70000002", "email": "ana@kantuta.test"}), http.StatusCreated)
		e.expect(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": "Sin correo", "telefono": "70000003"}), http.StatusCreated)
		e.expect(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": "Inactivo", "telefono": "70000004", "email": "x@kantuta.test", "activo": false}), http.StatusCreated)
		e.expect(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": "No stock", "telefono": "70000005", "email": "y@kantuta.test", "recibe_stock_bajo": false}), http.StatusCreated)

		// Still low: no new mail (one episode).
		e.expect(a.Patch("/inventario/producto/"+itoa(p), e.admin, map[string]any{"stock_actual": 2}), http.StatusOK)
		if got := mails(); got != admins {
			t.Fatalf("a second mail in the same episode: %d", got)
		}
		e.events.take()
		// Recovers (compra): re-armed, no mail.
		e.expect(a.Post("/compras", e.admin, map[string]any{"pagar_con_caja": false, "detalles": []any{map[string]any{"id_producto": p, "cantidad": 10, "costo_unitario": 1}}}), http.StatusCreated)
		if e.scalar("SELECT COUNT(*) FROM producto WHERE id = ? AND alerta_stock_bajo", p) != 0 {
			t.Fatal("flag not cleared on recovery")
		}
		// Low again by raising the minimum: a new episode, one mail per contact.
		e.events.take()
		e.expect(a.Patch("/inventario/producto/"+itoa(p), e.admin, map[string]any{"stock_minimo": 20}), http.StatusOK)
		e.wantEvents("producto/actualizado", "producto/stock_bajo")
		if got := mails(); got != admins+2 {
			t.Fatalf("mails = %d, want %d", got, admins+2)
		}
		if e.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'stock_bajo' AND to_email IN ('ruddy@kantuta.test', 'ana@kantuta.test')") != 2 {
			t.Fatal("the two contacts did not get one mail each")
		}
		// The ledger's decrements alert too (what ventas will call).
		q := id(e.producto(map[string]any{"nombre": "Maní", "id_categoria": cat, "stock_actual": 10, "stock_minimo": 3}))
		if got := mails(); got != admins+2 {
			t.Fatalf("a product above its minimum alerted: %d", got)
		}
		takeAndRecord(t, e, q, 7)
		if got := mails(); got != admins+4 {
			t.Fatalf("mails after Take = %d, want %d", got, admins+4)
		}
		e.invariant()
	})
}

func TestContactos(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		a := e.app
		m := e.expect(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": " Ruddy M. ", "telefono": "70000000", "id_user_create": 3}), http.StatusCreated)
		cid := m["id"].(string)
		if len(cid) != 36 || m["codigo_pais"] != "591" || m["email"] != nil || m["recibe_stock_bajo"] != true || m["recibe_cierre_caja"] != false ||
			m["activo"] != true || m["nombre"] != "Ruddy M." || m["id_user_create"] != float64(e.adminID) {
			t.Fatalf("created: %v", m)
		}
		e.expectMsg(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": "Otro", "telefono": "70000000", "codigo_pais": "591"}), http.StatusConflict,
			"Ya existe un contacto con ese teléfono")
		e.expect(a.Post("/notificaciones/contactos", e.admin, map[string]any{"nombre": "Otro", "telefono": "70000000", "codigo_pais": "56"}), http.StatusCreated)
		cases := []struct {
			body map[string]any
			msg  string
		}{
			{map[string]any{}, "nombre es requerido | telefono es requerido"},
			{map[string]any{"nombre": "X", "telefono": "7000a000"}, "telefono debe tener entre 6 y 15 dígitos"},
			{map[string]any{"nombre": "X", "telefono": "12345"}, "telefono debe tener entre 6 y 15 dígitos"},
			{map[string]any{"nombre": "X", "telefono": "123456", "codigo_pais": "123456"}, "codigo_pais debe tener entre 1 y 5 dígitos"},
			{map[string]any{"nombre": "X", "telefono": "123456", "email": "no"}, "email debe ser un correo válido"},
			{map[string]any{"nombre": "X", "telefono": "123456", "activo": "si", "recibe_stock_bajo": 1}, "recibe_stock_bajo debe ser un booleano | activo debe ser un booleano"},
		}
		for _, c := range cases {
			e.expectMsg(a.Post("/notificaciones/contactos", e.admin, c.body), http.StatusBadRequest, c.msg)
		}
		e.expectMsg(a.Get("/notificaciones/contactos", e.lider), http.StatusForbidden, "Forbidden resource")
		e.expectMsg(a.Get("/notificaciones/contactos/abc", e.admin), http.StatusBadRequest, "id debe ser un UUID válido")
		e.expectMsg(a.Get("/notificaciones/contactos/5b0c0000-0000-4000-8000-000000000000", e.admin), http.StatusNotFound,
			`Contacto con id "5b0c0000-0000-4000-8000-000000000000" no encontrado.`)
		m = e.expect(a.Patch("/notificaciones/contactos/"+cid, e.admin, map[string]any{"email": "r@kantuta.test", "recibe_stock_bajo": false}), http.StatusOK)
		if m["email"] != "r@kantuta.test" || m["recibe_stock_bajo"] != false || m["id_user_update"] != float64(e.adminID) {
			t.Fatalf("patched: %v", m)
		}
		e.expectMsg(a.Patch("/notificaciones/contactos/"+cid, e.admin, map[string]any{"telefono": nil}), http.StatusBadRequest, "telefono no debe estar vacío")
		var list []map[string]any
		a.Get("/notificaciones/contactos", e.admin).JSON(t, &list)
		if len(list) != 2 || list[0]["id"] != cid {
			t.Fatalf("list: %v", list)
		}
		a.Get("/notificaciones/contactos/activos-stock", e.admin).JSON(t, &list)
		if len(list) != 1 || list[0]["id"] == cid {
			t.Fatalf("activos-stock: %v", list)
		}
		e.expectMsg(a.Delete("/notificaciones/contactos/"+cid, e.admin), http.StatusOK, `Contacto "Ruddy M." eliminado correctamente.`)
		e.expect(a.Get("/notificaciones/contactos/"+cid, e.admin), http.StatusNotFound)
		e.expect(a.Post("/notificaciones/contactos/seed", e.admin, map[string]any{}), http.StatusNotFound)
	})
}
