package caja_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestVentaFlow(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		app := f.app
		_, adminTok := app.NewUsuario(role.Admin)
		ana, anaTok := app.NewUsuario(role.User)
		_, luisTok := app.NewUsuario(role.Lider)
		coca := f.product("Coca-Cola 2L", 1250, 900, 10, 3)
		gall := f.product("Galletas", 400, 250, 5, 4)
		c1 := f.caja(adminTok, "Caja 01 - General", "100")
		sid := f.abrir(anaTok, c1)
		ev := f.listen()

		// Body order kept, server prices, change.
		res := app.Post("/ventas", anaTok, map[string]any{"metodo_pago": "EFECTIVO", "id_sesion_caja": sid, "monto_recibido": 50,
			"id_user_create": 99, "detalles": []map[string]any{
				{"id_producto": gall, "cantidad": 1, "precio_unitario": 0.01},
				{"id_producto": coca, "cantidad": 2, "precio_unitario": 12.5}}})
		if res.Status != 201 {
			t.Fatalf("venta: %s", res)
		}
		v := res.Map(t)
		det := v["detalles"].([]any)
		d0, d1 := det[0].(map[string]any), det[1].(map[string]any)
		if v["total"] != "29.00" || v["cambio"] != "21.00" || v["monto_recibido"] != "50.00" || v["estado_venta"] != "COMPLETADA" ||
			v["id_user_create"] != float64(ana.ID) || d0["id_producto"] != float64(gall) || d0["precio_unitario"] != "4.00" ||
			d1["subtotal"] != "25.00" || d1["costo_unitario"] != "9.00" || d1["producto"].(map[string]any)["nombre"] != "Coca-Cola 2L" {
			t.Errorf("venta answered %s", res.Body)
		}
		venta1 := int64(v["id"].(float64))
		// Galletas went 5 → 4 = its minimum: low.
		if got := ev.take(); fmt.Sprint(got) != "[caja/saldo_actualizado producto/stock_descontado venta/creada producto/stock_bajo]" {
			t.Errorf("events %v", got)
		}
		if f.stock(coca) != 8 || f.stock(gall) != 4 {
			t.Errorf("stock %d %d", f.stock(coca), f.stock(gall))
		}
		f.invariant(c1, sid)
		if f.saldo(c1) != 12900 {
			t.Errorf("saldo %v", f.saldo(c1))
		}
		// QR: the drawer does not move.
		res = f.sell(anaTok, sid, "QR", [2]int64{coca, 1})
		if res.Status != 201 || res.Map(t)["cambio"] != nil || res.Map(t)["total"] != "12.50" {
			t.Fatalf("QR venta: %s", res)
		}
		venta2 := int64(res.Map(t)["id"].(float64))
		if f.saldo(c1) != 12900 {
			t.Errorf("saldo after QR %v", f.saldo(c1))
		}
		f.invariant(c1, sid)
		ev.take()

		// Errors, in order, and nothing written.
		for _, tc := range []struct {
			tok  string
			body map[string]any
			code int
			want string
		}{
			{anaTok, map[string]any{}, 400, "[metodo_pago debe ser uno de: EFECTIVO QR TRANSFERENCIA id_sesion_caja es requerido detalles es requerido]"},
			{anaTok, map[string]any{"metodo_pago": "EFECTIVO", "id_sesion_caja": sid, "detalles": []any{}}, 400, "[detalles debe contener al menos 1 elemento]"},
			{anaTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid, "detalles": []map[string]any{{"id_producto": "a", "cantidad": 0, "x": 1}}}, 400,
				"[detalles.0.cantidad no debe ser menor que 1 detalles.0.id_producto debe ser un número entero la propiedad detalles.0.x no está permitida]"},
			{anaTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid, "monto_recibido": 50, "detalles": []map[string]any{{"id_producto": coca, "cantidad": 1}}}, 400,
				"[monto_recibido solo aplica a pagos en EFECTIVO]"},
			{anaTok, map[string]any{"metodo_pago": "EFECTIVO", "id_sesion_caja": sid, "monto_recibido": 5, "detalles": []map[string]any{{"id_producto": coca, "cantidad": 1}}}, 400,
				"monto_recibido no cubre el total (Bs. 12.50)"},
			{anaTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": 999, "detalles": []map[string]any{{"id_producto": coca, "cantidad": 1}}}, 400,
				"La sesión de caja con ID 999 no está abierta o no existe"},
			{luisTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid, "detalles": "x"}, 403, "La sesión de caja pertenece a otro usuario"},
			// The session's refusals come before the stock's (both are
			// checked in the statement that takes the stock).
			{luisTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid, "detalles": []map[string]any{{"id_producto": coca, "cantidad": 1}}}, 403,
				"La sesión de caja pertenece a otro usuario"},
			{luisTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid, "detalles": []map[string]any{{"id_producto": gall, "cantidad": 50}}}, 403,
				"La sesión de caja pertenece a otro usuario"},
			{anaTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": 999, "detalles": []map[string]any{{"id_producto": 999, "cantidad": 1}}}, 400,
				"La sesión de caja con ID 999 no está abierta o no existe"},
			{anaTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid, "detalles": []map[string]any{{"id_producto": coca, "cantidad": 1}, {"id_producto": 999, "cantidad": 1}}}, 400,
				"Producto con ID 999 no encontrado"},
			{anaTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid, "detalles": []map[string]any{{"id_producto": coca, "cantidad": 1}, {"id_producto": gall, "cantidad": 5}}}, 400,
				"Stock insuficiente para el producto Galletas. Stock actual: 4"},
			{"", map[string]any{}, 401, "Unauthorized"},
		} {
			res := app.Post("/ventas", tc.tok, tc.body)
			if res.Status != tc.code || msgs(t, res) != tc.want {
				t.Errorf("POST /ventas %v → %s, want %d %s", tc.body, res, tc.code, tc.want)
			}
		}
		if f.stock(coca) != 7 || f.stock(gall) != 4 || f.saldo(c1) != 12900 {
			t.Errorf("a failed venta wrote: stock %d %d saldo %v", f.stock(coca), f.stock(gall), f.saldo(c1))
		}
		if got := ev.take(); len(got) != 0 {
			t.Errorf("failed ventas published %v", got)
		}

		// Reads.
		res = app.Get("/ventas", luisTok)
		var list []map[string]any
		res.JSON(t, &list)
		if res.Status != 200 || len(list) != 2 || list[0]["id"] != float64(venta2) || len(list[1]["detalles"].([]any)) != 2 {
			t.Errorf("list: %s", res)
		}
		if res := app.Get(fmt.Sprintf("/ventas/%d", venta1), luisTok); res.Status != 200 || res.Map(t)["total"] != "29.00" {
			t.Errorf("get: %s", res)
		}
		if res := app.Get("/ventas/999", luisTok); res.Status != 404 || msgs(t, res) != "Venta con ID 999 no encontrada o inactiva" {
			t.Errorf("get missing: %s", res)
		}

		// Edit metodo_pago: EFECTIVO → QR takes the cash out of the drawer.
		path1 := fmt.Sprintf("/ventas/%d", venta1)
		if res := app.Patch(path1, anaTok, map[string]any{"metodo_pago": "QR"}); res.Status != 403 {
			t.Errorf("cashier patch: %s", res)
		}
		res = app.Patch(path1, adminTok, map[string]any{"metodo_pago": "QR", "motivo_edicion": "Pagó con QR"})
		if res.Status != 200 || res.Map(t)["estado_venta"] != "EDITADA" || res.Map(t)["metodo_pago"] != "QR" || res.Map(t)["cambio"] != nil {
			t.Errorf("edit: %s", res)
		}
		if got := ev.take(); fmt.Sprint(got) != "[venta/actualizada caja/saldo_actualizado]" {
			t.Errorf("events %v", got)
		}
		if f.saldo(c1) != 10000 {
			t.Errorf("saldo after edit %v", f.saldo(c1))
		}
		f.invariant(c1, sid)
		res = app.Patch(path1, adminTok, map[string]any{"metodo_pago": "EFECTIVO"})
		if res.Status != 200 || f.saldo(c1) != 12900 {
			t.Errorf("edit back: %s saldo %v", res, f.saldo(c1))
		}
		f.invariant(c1, sid)
		ev.take()

		// Annul: validation, stock back once, cash refunded while open.
		for _, tc := range []struct {
			body map[string]any
			code int
			want string
		}{
			{map[string]any{"estado_venta": "ANULADA"}, 400, "[motivo_edicion es requerido para anular una venta]"},
			{map[string]any{"estado_venta": "COMPLETADA"}, 400, "[estado_venta solo puede cambiarse a ANULADA]"},
			{map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "x", "metodo_pago": "QR"}, 400, "[Una anulación no admite otros cambios]"},
			{map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "x", "id_sesion_caja": sid + 100}, 400, "id_sesion_caja no se puede modificar"},
		} {
			res := app.Patch(path1, adminTok, tc.body)
			if res.Status != tc.code || msgs(t, res) != tc.want {
				t.Errorf("PATCH %v → %s, want %d %s", tc.body, res, tc.code, tc.want)
			}
		}
		if res := app.Patch("/ventas/999", adminTok, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "x"}); res.Status != 404 {
			t.Errorf("annul missing: %s", res)
		}
		res = app.Patch(path1, adminTok, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": " Cliente devolvió "})
		if res.Status != 200 || res.Map(t)["estado_venta"] != "ANULADA" || res.Map(t)["motivo_edicion"] != "Cliente devolvió" {
			t.Fatalf("annul: %s", res)
		}
		if got := ev.take(); fmt.Sprint(got) != "[venta/actualizada caja/saldo_actualizado producto/stock_actualizado]" {
			t.Errorf("events %v", got)
		}
		if f.stock(coca) != 9 || f.stock(gall) != 5 || f.saldo(c1) != 10000 {
			t.Errorf("after annul: stock %d %d saldo %v", f.stock(coca), f.stock(gall), f.saldo(c1))
		}
		f.invariant(c1, sid)
		if res := app.Patch(path1, adminTok, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "x"}); res.Status != 409 ||
			msgs(t, res) != "La venta ya está anulada" {
			t.Errorf("second annul: %s", res)
		}
		// Deleting an annulled venta gives nothing back again.
		if res := app.Delete(path1, adminTok); res.Status != 200 || len(res.Body) != 0 {
			t.Errorf("delete: %s", res)
		}
		if f.stock(coca) != 9 || f.stock(gall) != 5 || f.saldo(c1) != 10000 {
			t.Errorf("after delete: stock %d %d saldo %v", f.stock(coca), f.stock(gall), f.saldo(c1))
		}
		if res := app.Get(path1, adminTok); res.Status != 404 {
			t.Errorf("deleted venta still found: %s", res)
		}

		// The report: local days, numbers, annulled rows listed not summed.
		venta3 := f.sell(anaTok, sid, "EFECTIVO", [2]int64{gall, 2})
		if venta3.Status != 201 {
			t.Fatal(venta3)
		}
		app.Patch(fmt.Sprintf("/ventas/%d", int64(venta3.Map(t)["id"].(float64))), adminTok, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "x"})
		today := time.Now().In(app.Config.Location).Format(time.DateOnly)
		res = app.Post("/ventas/reporte-resumen", luisTok, map[string]any{"fechaInicio": today, "fechaFin": today})
		if res.Status != 200 {
			t.Fatalf("reporte: %s", res)
		}
		// The figures are JSON numbers (the frontend's PDF calls toFixed on
		// them); read them as decimal text and compare in centavos.
		var rep struct {
			Totales struct {
				TotalVendido       json.Number
				TotalTransacciones int
				Desglose           map[string]json.Number
			}
			Ventas []struct {
				Total json.Number `json:"total"`
			}
		}
		res.JSON(t, &rep)
		cents := func(n json.Number) money.Cents {
			c, err := money.Parse(n.String())
			if err != nil {
				t.Fatalf("reporte: %q is not an amount: %v", n, err)
			}
			return c
		}
		if cents(rep.Totales.TotalVendido) != 1250 || rep.Totales.TotalTransacciones != 2 || cents(rep.Totales.Desglose["qr"]) != 1250 ||
			cents(rep.Totales.Desglose["digitalTotal"]) != 1250 || len(rep.Ventas) != 2 || cents(rep.Ventas[1].Total) != 1250 {
			t.Errorf("reporte: %s", res.Body)
		}
		for _, tc := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{}, "[La fecha de inicio es requerida en el body La fecha de fin es requerida en el body]"},
			{map[string]any{"fechaInicio": "2026-07-01T10:00Z", "fechaFin": "2026-02-30"}, "[La fecha de inicio debe ser una fecha válida (YYYY-MM-DD) La fecha de fin debe ser una fecha válida (YYYY-MM-DD)]"},
			{map[string]any{"fechaInicio": "2026-07-02", "fechaFin": "2026-07-01"}, "La fecha de inicio no puede ser mayor a la fecha de fin"},
			{map[string]any{"fechaInicio": "2025-01-01", "fechaFin": "2026-07-01"}, "El rango no puede superar 366 días"},
		} {
			res := app.Post("/ventas/reporte-resumen", luisTok, tc.body)
			if res.Status != 400 || msgs(t, res) != tc.want {
				t.Errorf("reporte %v → %s, want %s", tc.body, res, tc.want)
			}
		}

		// Aggregates equal the raw rows.
		f.checkAggregates()

		// Closing counts exactly the committed rows; a venta of a closed
		// session annulled later leaves the session and the drawer alone.
		res = app.Patch(fmt.Sprintf("/cajas/sesion/%d/cerrar", sid), anaTok, map[string]any{"monto_final_real": 100})
		if res.Status != 200 || res.Map(t)["monto_final_teorico"] != "100.00" {
			t.Fatalf("cerrar: %s", res)
		}
		sid2 := f.abrir(adminTok, c1)
		_ = sid2
		res = app.Patch(fmt.Sprintf("/ventas/%d", venta2), adminTok, map[string]any{"metodo_pago": "EFECTIVO"})
		if res.Status != 409 || msgs(t, res) != "No se puede editar una venta de una sesión cerrada" {
			t.Errorf("edit of a closed session's venta: %s", res)
		}
		if res := app.Delete(fmt.Sprintf("/ventas/%d", venta2), adminTok); res.Status != 200 {
			t.Errorf("delete of a closed session's venta: %s", res)
		}
		if f.saldo(c1) != 10000 || f.stock(coca) != 10 {
			t.Errorf("after deleting a closed session's venta: saldo %v stock %d", f.saldo(c1), f.stock(coca))
		}
		f.checkAggregates()
		f.checkStockLedger()
	})
}

// checkAggregates compares §14.4's aggregates with the raw rows.
func (f *fixture) checkAggregates() {
	f.t.Helper()
	var aggTotal, rawTotal money.Cents
	var aggN, rawN int64
	if err := f.db.Raw("SELECT COALESCE(SUM(total), 0), COALESCE(SUM(n), 0) FROM resumen_ventas_dia").Row().Scan(&aggTotal, &aggN); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.Raw("SELECT COALESCE(SUM(total), 0), COUNT(*) FROM venta WHERE estado AND estado_venta IN ('COMPLETADA', 'EDITADA')").Row().Scan(&rawTotal, &rawN); err != nil {
		f.t.Fatal(err)
	}
	if aggTotal != rawTotal || aggN != rawN {
		f.t.Errorf("resumen_ventas_dia %v/%d, raw %v/%d", aggTotal, aggN, rawTotal, rawN)
	}
	var aggQ, rawQ int64
	var aggImp, rawImp, aggCost, rawCost money.Cents
	if err := f.db.Raw("SELECT COALESCE(SUM(cantidad), 0), COALESCE(SUM(importe), 0), COALESCE(SUM(costo), 0) FROM resumen_producto_mes").Row().Scan(&aggQ, &aggImp, &aggCost); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.Raw(`SELECT COALESCE(SUM(d.cantidad), 0), COALESCE(SUM(d.subtotal), 0), COALESCE(SUM(d.cantidad * d.costo_unitario), 0)
		FROM detalles_venta d JOIN venta v ON v.id = d.id_venta WHERE v.estado AND v.estado_venta IN ('COMPLETADA', 'EDITADA') AND d.estado`).Row().Scan(&rawQ, &rawImp, &rawCost); err != nil {
		f.t.Fatal(err)
	}
	if aggQ != rawQ || aggImp != rawImp || aggCost != rawCost {
		f.t.Errorf("resumen_producto_mes %d/%v/%v, raw %d/%v/%v", aggQ, aggImp, aggCost, rawQ, rawImp, rawCost)
	}
	// The year rows hold the month rows' sums, year by year.
	var yearDiff int64
	if err := f.db.Raw(`SELECT COUNT(*) FROM (SELECT CAST(substr(mes, 1, 4) AS INTEGER) AS anio, id_producto, SUM(cantidad) AS q,
		SUM(importe) AS i, SUM(costo) AS c FROM resumen_producto_mes GROUP BY CAST(substr(mes, 1, 4) AS INTEGER), id_producto) m
		FULL JOIN resumen_producto_anio a ON a.anio = m.anio AND a.id_producto = m.id_producto
		WHERE a.anio IS NULL OR m.anio IS NULL OR a.cantidad <> m.q OR a.importe <> m.i OR a.costo <> m.c`).Row().Scan(&yearDiff); err != nil {
		f.t.Fatal(err)
	}
	if yearDiff != 0 {
		f.t.Errorf("resumen_producto_anio differs from resumen_producto_mes summed per year in %d rows", yearDiff)
	}
	var perMetodo int64
	if err := f.db.Raw(`SELECT COUNT(*) FROM (SELECT metodo_pago, SUM(n) n FROM resumen_ventas_dia GROUP BY metodo_pago) a
		WHERE a.n <> (SELECT COUNT(*) FROM venta v WHERE v.estado AND v.estado_venta IN ('COMPLETADA', 'EDITADA') AND v.metodo_pago = a.metodo_pago)`).Row().Scan(&perMetodo); err != nil {
		f.t.Fatal(err)
	}
	if perMetodo != 0 {
		f.t.Errorf("resumen_ventas_dia per metodo_pago differs from the raw rows")
	}
}

// checkStockLedger: ventas and annulments are in movimiento_stock; the
// products were inserted without an ALTA row, so compare the movements
// with the lines.
func (f *fixture) checkStockLedger() {
	f.t.Helper()
	var mov, lines int64
	if err := f.db.Raw("SELECT COALESCE(SUM(cantidad), 0) FROM movimiento_stock WHERE tipo IN ('VENTA', 'ANULACION')").Row().Scan(&mov); err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.Raw(`SELECT COALESCE(SUM(d.cantidad), 0) FROM detalles_venta d JOIN venta v ON v.id = d.id_venta WHERE v.estado_venta <> 'ANULADA'`).Row().Scan(&lines); err != nil {
		f.t.Fatal(err)
	}
	if mov != -lines {
		f.t.Errorf("movimiento_stock sums %d, unannulled lines %d", mov, lines)
	}
}

// POST /ventas answers the venta it wrote without reading it back: the
// answer is byte for byte what GET /ventas/:id reads from the rows, for
// each kind of sale (cash with change, repeated and unsorted products,
// QR; a cashier's and an admin's sale into the cashier's session).
func TestVentaAnswerIsItsRow(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, adminTok := f.app.NewUsuario(role.Admin)
		_, tok := f.app.NewUsuario(role.User)
		a := f.product("Agua 1L", 550, 300, 100, 5)
		b := f.product("Pan", 125, 80, 100, 5)
		sid := f.abrir(tok, f.caja(adminTok, "Caja 01", "50"))
		cases := []struct {
			name string
			tok  string
			body map[string]any
		}{
			{"cash with change", tok, map[string]any{"metodo_pago": "EFECTIVO", "id_sesion_caja": sid, "monto_recibido": 20,
				"detalles": []map[string]any{{"id_producto": a, "cantidad": 2}, {"id_producto": b, "cantidad": 3, "precio_unitario": 1}}}},
			{"repeated, unsorted products", tok, map[string]any{"metodo_pago": "EFECTIVO", "id_sesion_caja": sid,
				"detalles": []map[string]any{{"id_producto": b, "cantidad": 1}, {"id_producto": a, "cantidad": 1}, {"id_producto": b, "cantidad": 2}}}},
			{"QR by an admin", adminTok, map[string]any{"metodo_pago": "QR", "id_sesion_caja": sid,
				"detalles": []map[string]any{{"id_producto": a, "cantidad": 1}}}},
		}
		for _, c := range cases {
			res := f.app.Post("/ventas", c.tok, c.body)
			if res.Status != 201 {
				t.Fatalf("%s: %s", c.name, res)
			}
			id := int64(res.Map(t)["id"].(float64))
			got := f.app.Get(fmt.Sprintf("/ventas/%d", id), tok)
			if got.Status != 200 || string(got.Body) != string(res.Body) {
				t.Errorf("%s:\nPOST %s\n GET %s", c.name, res.Body, got.Body)
			}
		}
	})
}

// The low-stock flag follows sales and annulments: a sale that leaves the
// product at its minimum raises it (once), annulling it clears it (which
// re-arms the alert), and a sale that stays above the minimum leaves it.
func TestVentaLowStockFlag(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, adminTok := f.app.NewUsuario(role.Admin)
		_, tok := f.app.NewUsuario(role.User)
		p := f.product("Chicle", 100, 50, 8, 5)
		q := f.product("Caramelo", 100, 50, 100, 5)
		sid := f.abrir(tok, f.caja(adminTok, "Caja 01", "0"))
		flag := func() (bool, bool) {
			var a, b bool
			if err := db.Raw("SELECT (SELECT alerta_stock_bajo FROM producto WHERE id = ?), (SELECT alerta_stock_bajo FROM producto WHERE id = ?)", p, q).Row().Scan(&a, &b); err != nil {
				t.Fatal(err)
			}
			return a, b
		}
		var low int64 // the venta that took p down to its minimum
		steps := []struct {
			name   string
			do     func() *testkit.Response
			status int
			p, q   bool
		}{
			{"above the minimum", func() *testkit.Response { return f.sell(tok, sid, "QR", [2]int64{p, 2}, [2]int64{q, 1}) }, 201, false, false},
			{"down to the minimum", func() *testkit.Response {
				res := f.sell(tok, sid, "QR", [2]int64{q, 1}, [2]int64{p, 1})
				if res.Status == 201 {
					low = int64(res.Map(t)["id"].(float64))
				}
				return res
			}, 201, true, false},
			{"annulled: back above", func() *testkit.Response {
				return f.app.Patch(fmt.Sprintf("/ventas/%d", low), adminTok, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "x"})
			}, 200, false, false},
		}
		for _, s := range steps {
			if res := s.do(); res.Status != s.status {
				t.Fatalf("%s: %s", s.name, res)
			}
			if a, b := flag(); a != s.p || b != s.q {
				t.Errorf("%s: flags %v %v, want %v %v", s.name, a, b, s.p, s.q)
			}
		}
		f.checkStockLedger()
	})
}

// On PostgreSQL a sale's notification rides on its aggregates' statement:
// another replica on the same schema hears the sale's events once, and a
// refused sale (rolled back) sends none.
func TestVentaEventsReachOtherReplica(t *testing.T) {
	db := testkit.NewPostgres(t)
	if db == nil {
		t.Skip("PostgreSQL not reachable")
	}
	f := newFixture(t, db)
	other := testkit.NewApp(t, db)
	for _, app := range []*testkit.App{f.app, other} {
		n, ok := app.Events.(*realtime.Notifier)
		if !ok {
			t.Fatalf("Publisher on PostgreSQL is %T", app.Events)
		}
		select {
		case <-n.Listening():
		case <-time.After(10 * time.Second):
			t.Fatal("a replica never listened")
		}
	}
	var mu sync.Mutex
	var got []string
	arrived := make(chan struct{}, 64)
	cancel := other.Bus.Subscribe(func(e realtime.Event) {
		mu.Lock()
		got = append(got, e.Entity+"/"+e.Action)
		mu.Unlock()
		arrived <- struct{}{}
	})
	defer cancel()
	_, adminTok := f.app.NewUsuario(role.Admin)
	_, tok := f.app.NewUsuario(role.User)
	p := f.product("Agua", 500, 300, 10, 1)
	sid := f.abrir(tok, f.caja(adminTok, "Caja 01", "0"))
	if res := f.sell(tok, sid, "EFECTIVO", [2]int64{p, 20}); res.Status != 400 {
		t.Fatalf("beyond the stock: %s", res)
	}
	if res := f.sell(tok, sid, "EFECTIVO", [2]int64{p, 1}); res.Status != 201 {
		t.Fatalf("venta: %s", res)
	}
	want := "[caja/saldo_actualizado producto/stock_descontado venta/creada]"
	deadline := time.After(5 * time.Second)
	for {
		mu.Lock()
		s := fmt.Sprint(got)
		mu.Unlock()
		// The caja and the session were announced before the sale.
		if strings.HasSuffix(s, strings.Trim(want, "[]")+"]") {
			break
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("the other replica heard %s, want it to end with %s", s, want)
		}
	}
	time.Sleep(200 * time.Millisecond) // a duplicate would arrive meanwhile
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(fmt.Sprint(got), "venta/creada"); n != 1 {
		t.Errorf("venta/creada heard %d times: %v", n, got)
	}
}
