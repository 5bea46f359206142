package inventario_test

import (
	"net/http"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/testkit"
)

// caja inserts a caja with saldo and a session of the admin in state.
func (e *env) caja(saldo money.Cents, estado string) (cajaID, sesionID int64) {
	e.t.Helper()
	if err := e.db.Raw("INSERT INTO cajas (nombre, saldo) VALUES ('Caja 01', ?) RETURNING id", e.db.Money(saldo)).Row().Scan(&cajaID); err != nil {
		e.t.Fatal(err)
	}
	cierre := "NULL"
	if estado == "CERRADA" {
		cierre = "CURRENT_TIMESTAMP"
	}
	if err := e.db.Raw("INSERT INTO sesiones_caja (id_caja, id_usuario, monto_inicial, estado_sesion, fecha_cierre) VALUES (?, ?, ?, ?, "+cierre+") RETURNING id",
		cajaID, e.adminID, e.db.Money(saldo), estado).Row().Scan(&sesionID); err != nil {
		e.t.Fatal(err)
	}
	return cajaID, sesionID
}

func (e *env) saldo(cajaID int64) money.Cents {
	e.t.Helper()
	var c money.Cents
	if err := e.db.Raw("SELECT saldo FROM cajas WHERE id = ?", cajaID).Row().Scan(&c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestCompras(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		a := e.app
		cat := e.categoria("Bebidas")
		p1 := id(e.producto(map[string]any{"nombre": "Agua", "id_categoria": cat, "stock_actual": 5, "costo_compra": 6}))
		p2 := id(e.producto(map[string]any{"nombre": "Jugo", "id_categoria": cat, "stock_actual": 0, "costo_compra": 1}))
		e.events.take()

		// A compra: stock +, last cost wins, totals exact, lines in body order.
		m := e.expect(a.Post("/compras", e.lider, map[string]any{
			"proveedor": " Distribuidora XYZ ", "pagar_con_caja": false, "id_sesion_caja": 77, "id_user_create": 9,
			"detalles": []map[string]any{
				{"id_producto": p2, "cantidad": 3, "costo_unitario": 0.1},
				{"id_producto": p1, "cantidad": 10, "costo_unitario": 6.5},
				{"id_producto": p2, "cantidad": 7, "costo_unitario": 0.2},
			},
		}), http.StatusCreated)
		cid := id(m)
		if m["total"] != "66.70" || m["proveedor"] != "Distribuidora XYZ" || m["pagado_con_caja"] != false || m["id_sesion_caja"] != nil ||
			m["id_user_create"] != float64(e.liderID) {
			t.Fatalf("compra: %v", m)
		}
		det := m["detalles"].([]any)
		if len(det) != 3 {
			t.Fatalf("detalles: %v", det)
		}
		first := det[0].(map[string]any)
		if first["id_producto"] != float64(p2) || first["cantidad"] != float64(3) || first["costo_unitario"] != "0.10" || first["subtotal"] != "0.30" ||
			first["producto"].(map[string]any)["nombre"] != "Jugo" {
			t.Fatalf("first line: %v", first)
		}
		e.wantEvents("producto/stock_actualizado", "compra/creada")
		agua := e.expect(a.Get("/inventario/producto/"+itoa(p1), e.user), http.StatusOK)
		jugo := e.expect(a.Get("/inventario/producto/"+itoa(p2), e.user), http.StatusOK)
		if agua["stock_actual"] != float64(15) || agua["costo_compra"] != "6.50" || jugo["stock_actual"] != float64(10) || jugo["costo_compra"] != "0.20" {
			t.Fatalf("after compra: %v %v", agua, jugo)
		}
		if e.scalar("SELECT cantidad FROM movimiento_stock WHERE tipo = 'COMPRA' AND id_producto = ? AND id_referencia = ?", p2, cid) != 10 {
			t.Fatal("COMPRA movement of Jugo is not +10")
		}

		// GET /compras: id desc, the product embedded even once deleted.
		e.expect(a.Post("/compras", e.admin, map[string]any{"pagar_con_caja": false, "proveedor": "",
			"detalles": []map[string]any{{"id_producto": p1, "cantidad": 1, "costo_unitario": 0}}}), http.StatusCreated)
		e.expect(a.Delete("/inventario/producto/"+itoa(p2), e.admin), http.StatusOK)
		var list []map[string]any
		a.Get("/compras", e.user).JSON(t, &list)
		if len(list) != 2 || id(list[1]) != cid || list[0]["proveedor"] != nil || list[0]["total"] != "0.00" {
			t.Fatalf("list: %v", list)
		}
		if l := list[1]["detalles"].([]any)[0].(map[string]any); l["producto"].(map[string]any)["estado"] != false {
			t.Fatalf("deleted product not embedded: %v", l)
		}
		e.events.take()

		// Refusals: nothing written.
		count := func() int64 {
			return e.scalar("SELECT COUNT(*) FROM compra") + e.scalar("SELECT COUNT(*) FROM detalle_compra") + e.scalar("SELECT COUNT(*) FROM movimiento_stock") +
				e.scalar("SELECT COALESCE(SUM(stock_actual), 0) FROM producto") + e.scalar("SELECT COUNT(*) FROM movimientos_caja")
		}
		var before int64
		line := func(pid int64, q any, c any) map[string]any {
			return map[string]any{"id_producto": pid, "cantidad": q, "costo_unitario": c}
		}
		p3 := id(e.producto(map[string]any{"nombre": "Galletas", "id_categoria": cat, "stock_actual": 2147483000}))
		e.events.take()
		before = count()
		cajaID, open := e.caja(15000, "ABIERTA")
		_, closed := e.caja(0, "CERRADA")
		cases := []struct {
			body   map[string]any
			status int
			msg    string
		}{
			{map[string]any{}, 400, "pagar_con_caja es requerido | detalles es requerido"},
			{map[string]any{"pagar_con_caja": "si", "detalles": "x"}, 400, "pagar_con_caja debe ser un booleano | detalles debe ser una lista"},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{}}, 400, "detalles debe contener al menos 1 elemento"},
			{map[string]any{"pagar_con_caja": false, "detalles": make([]map[string]any, 201)}, 400, ""},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{map[string]any{"id_producto": "7", "cantidad": 0, "costo_unitario": -1, "x": 1}}}, 400,
				"detalles.0.cantidad no debe ser menor que 1 | detalles.0.costo_unitario no debe ser menor que 0 | detalles.0.id_producto debe ser un número entero | la propiedad detalles.0.x no está permitida"},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{line(p1, 1000001, 1.001)}}, 400,
				"detalles.0.cantidad no debe ser mayor que 1000000 | detalles.0.costo_unitario debe tener como máximo 2 decimales"},
			{map[string]any{"pagar_con_caja": true, "detalles": []any{line(p1, 1, 1)}}, 400, "Debe proporcionar id_sesion_caja si desea pagar con la caja"},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{line(p1, 1, 1), line(98765, 1, 1)}}, 404, "Producto con ID 98765 no encontrado"},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{line(p2, 1, 1)}}, 404, "Producto con ID " + itoa(p2) + " no encontrado"},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{line(p1, 1000000, 9999999999.99)}}, 400, "total no debe ser mayor que 9999999999.99"},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{line(p1, 600000, 9999), line(p1, 600000, 9999)}}, 400, "total no debe ser mayor que 9999999999.99"},
			{map[string]any{"pagar_con_caja": false, "detalles": []any{line(p1, 1, 1), line(p3, 1000, 1)}}, 400, "stock_actual no debe ser mayor que 2147483647"},
			{map[string]any{"pagar_con_caja": true, "id_sesion_caja": 4321, "detalles": []any{line(p1, 1, 1)}}, 404, "Sesión de caja con ID 4321 no encontrada o inactiva"},
			{map[string]any{"pagar_con_caja": true, "id_sesion_caja": closed, "detalles": []any{line(p1, 1, 1)}}, 400, "No se pueden registrar movimientos en una sesión cerrada"},
			{map[string]any{"pagar_con_caja": true, "id_sesion_caja": open, "detalles": []any{line(p1, 100, 1.51)}}, 400, "Fondos insuficientes en el saldo de la caja. Saldo disponible: 150.00"},
		}
		for i, c := range cases {
			res := a.Post("/compras", e.admin, c.body)
			if c.msg == "" {
				e.expect(res, c.status)
			} else {
				e.expectMsg(res, c.status, c.msg)
			}
			if count() != before {
				t.Fatalf("case %d wrote rows", i)
			}
		}
		e.expectMsg(a.Post("/compras", e.user, cases[len(cases)-1].body), http.StatusForbidden, "Forbidden resource")
		e.wantEvents()

		// Paid from the caja: saldo down, EGRESO movement, events in order.
		m = e.expect(a.Post("/compras", e.admin, map[string]any{"pagar_con_caja": true, "id_sesion_caja": open,
			"detalles": []any{line(p1, 100, 1.5)}}), http.StatusCreated)
		if m["pagado_con_caja"] != true || m["id_sesion_caja"] != float64(open) || m["total"] != "150.00" {
			t.Fatalf("compra from caja: %v", m)
		}
		if s := e.saldo(cajaID); s != 0 {
			t.Fatalf("saldo = %v", s)
		}
		var motivo, origen, tipo string
		if err := db.Raw("SELECT motivo, origen, tipo FROM movimientos_caja WHERE id_sesion_caja = ?", open).Row().Scan(&motivo, &origen, &tipo); err != nil {
			t.Fatal(err)
		}
		if motivo != "Compra de mercancía - ID Compra: "+itoa(id(m)) || origen != "COMPRA" || tipo != "EGRESO" {
			t.Fatalf("movimiento: %q %q %q", motivo, origen, tipo)
		}
		e.wantEvents("producto/stock_actualizado", "compra/creada", "caja/saldo_actualizado")
		e.invariant()
	})
}
