package reporte_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/reporte"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

type env struct {
	t        *testing.T
	app      *testkit.App
	db       *database.DB
	admin    string
	adminID  int64
	maria    string
	mariaID  int64
	cajaID   int64
	sesionID int64
	a, b     int64
}

func exec(t *testing.T, db *database.DB, q string, args ...any) {
	t.Helper()
	if err := db.Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func scalar[T any](t *testing.T, db *database.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Raw(q, args...).Row().Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// setup is SPEC §14.9's fixture: admin Ana, operator María (role 2),
// "Accesorios", A "Cargador 20W" (10, cost 6, stock 50, min 5), B "Funda"
// (25, 15, stock 4, min 5), "Caja 1" with 100, María's session open.
func setup(t *testing.T, db *database.DB, overrides ...map[string]string) *env {
	e := &env{t: t, db: db, app: testkit.NewApp(t, db, overrides...)}
	u, tok := e.app.NewUsuario(role.Admin)
	e.admin, e.adminID = tok, u.ID
	u, tok = e.app.NewUsuario(role.Lider)
	e.maria, e.mariaID = tok, u.ID
	exec(t, db, "UPDATE usuario SET name = 'Ana' WHERE id = ?", e.adminID)
	exec(t, db, "UPDATE usuario SET name = 'María' WHERE id = ?", e.mariaID)
	cat := scalar[int64](t, db, "INSERT INTO categoria (nombre, nombre_key) VALUES ('Accesorios', 'accesorios') RETURNING id")
	prod := func(n string, p, c money.Cents, stock, min int64) int64 {
		return scalar[int64](t, db, `INSERT INTO producto (nombre, nombre_key, nombre_norm, precio_venta, costo_compra, stock_actual, stock_minimo, id_categoria)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, n, n, n, db.Money(p), db.Money(c), stock, min, cat)
	}
	e.a = prod("Cargador 20W", 1000, 600, 50, 5)
	e.b = prod("Funda", 2500, 1500, 4, 5)
	res := e.app.Post("/cajas", e.admin, map[string]any{"nombre": "Caja 1", "especialidad": "MIXTA", "saldo": 100})
	if res.Status != 201 {
		t.Fatalf("caja: %s", res)
	}
	e.cajaID = int64(res.Map(t)["id"].(float64))
	res = e.app.Post("/cajas/abrir", e.maria, map[string]any{"id_caja": e.cajaID})
	if res.Status != 201 {
		t.Fatalf("abrir: %s", res)
	}
	e.sesionID = int64(res.Map(t)["id"].(float64))
	return e
}

func (e *env) sell(tok, metodo string, lines ...[2]int64) int64 {
	e.t.Helper()
	det := []map[string]any{}
	for _, l := range lines {
		det = append(det, map[string]any{"id_producto": l[0], "cantidad": l[1]})
	}
	res := e.app.Post("/ventas", tok, map[string]any{"metodo_pago": metodo, "id_sesion_caja": e.sesionID, "detalles": det})
	if res.Status != 201 {
		e.t.Fatalf("venta: %s", res)
	}
	return int64(res.Map(e.t)["id"].(float64))
}

// get decodes a 200 into a generic value (numbers as json.Number, to
// compare exact decimals).
func (e *env) get(path, tok string) map[string]any {
	e.t.Helper()
	res := e.app.Get(path, tok)
	if res.Status != 200 {
		e.t.Fatalf("GET %s: %s", path, res)
	}
	var m map[string]any
	if err := json.Unmarshal(res.Body, &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

func laPaz(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/La_Paz")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestReportesFlow(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := setup(t, db)
		app := e.app
		loc, _ := time.LoadLocation("America/La_Paz")
		now := time.Now().In(loc)
		today := now.Format(time.DateOnly)
		vA := e.sell(e.maria, "EFECTIVO", [2]int64{e.a, 3})
		vB := e.sell(e.maria, "QR", [2]int64{e.b, 1})
		if res := app.Post("/recargas/inyeccion", e.maria, map[string]any{"operadora_destino": "Tigo", "monto": 50, "id_caja_sesion": e.sesionID}); res.Status != 201 {
			t.Fatalf("inyeccion: %s", res)
		}
		if res := app.Post("/recargas/cliente", e.maria, map[string]any{"operadora": "Tigo", "numero_cliente": "78945612", "monto": 10, "id_caja_sesion": e.sesionID}); res.Status != 201 {
			t.Fatalf("recarga: %s", res)
		}

		// Dashboard (step 8 of §14.9), for every role.
		for _, tok := range []string{e.admin, e.maria, app.Token(role.User)} {
			d := e.get("/reportes/dashboard-stats", tok)
			if got := js(d["kpis"]); got != `{"ganancia_comisiones_hoy":0,"productos_stock_bajo":1,"recargas_hoy":10,"ventas_hoy":55}` {
				t.Errorf("kpis = %s", got)
			}
			if got := js(d["top_productos"]); got != `[{"cantidad":3,"ganancia":12,"nombre":"Cargador 20W"},{"cantidad":1,"ganancia":10,"nombre":"Funda"}]` {
				t.Errorf("top = %s", got)
			}
			if got := js(d["recargas_distribucion"]); got != `[{"proveedor":"Entel","total":0},{"proveedor":"Viva","total":0},{"proveedor":"Tigo","total":10}]` {
				t.Errorf("distribucion = %s", got)
			}
			meses := d["ventas_mensuales"].([]any)
			if len(meses) != 12 || meses[0].(map[string]any)["mes"] != "Ene" || meses[11].(map[string]any)["mes"] != "Dic" {
				t.Fatalf("meses = %s", js(meses))
			}
			for i, m := range meses {
				want := 0.0
				if i == int(now.Month())-1 {
					want = 55
				}
				if m.(map[string]any)["total"] != want {
					t.Errorf("mes %d = %v, want %v", i+1, m, want)
				}
			}
		}
		prev := e.get(fmt.Sprintf("/reportes/dashboard-stats?anio=%d", now.Year()-1), e.admin)
		if js(prev["top_productos"]) != "[]" || js(prev["ventas_mensuales"]) != `[{"mes":"Ene","total":0},{"mes":"Feb","total":0},{"mes":"Mar","total":0},{"mes":"Abr","total":0},{"mes":"May","total":0},{"mes":"Jun","total":0},{"mes":"Jul","total":0},{"mes":"Ago","total":0},{"mes":"Sep","total":0},{"mes":"Oct","total":0},{"mes":"Nov","total":0},{"mes":"Dic","total":0}]` {
			t.Errorf("previous year: %s", js(prev))
		}

		// Ventas del día (step 9), then the annulment of B (step 10).
		rango := "?fechaInicio=" + today + "&fechaFin=" + today
		vr := e.get("/reportes/data/ventas-rango"+rango+"&auditor=Mallory", e.admin)
		if vr["auditor"] != "Ana" || vr["fechaInicio"] != today || vr["truncado"] != false ||
			js(vr["totales"]) != `{"desglose":{"digitalTotal":55,"efectivo":30,"qr":25,"transferencia":0},"totalTransacciones":2,"totalVendido":55}` {
			t.Errorf("ventas-rango: %s", js(vr))
		}
		rows := vr["ventas"].([]any)
		if len(rows) != 2 || rows[0].(map[string]any)["id"] != float64(vB) || rows[0].(map[string]any)["total"] != 25.0 ||
			rows[0].(map[string]any)["metodo_pago"] != "QR" || rows[1].(map[string]any)["id"] != float64(vA) {
			t.Errorf("ventas rows: %s", js(rows))
		}
		if res := app.Patch(fmt.Sprintf("/ventas/%d", vB), e.admin, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "Cliente devolvió"}); res.Status != 200 {
			t.Fatalf("anular: %s", res)
		}
		if d := e.get("/reportes/dashboard-stats", e.admin); d["kpis"].(map[string]any)["ventas_hoy"] != 30.0 {
			t.Errorf("ventas_hoy after annul = %v", d["kpis"])
		}
		vr = e.get("/reportes/data/ventas-rango"+rango, e.admin)
		if js(vr["totales"]) != `{"desglose":{"digitalTotal":30,"efectivo":30,"qr":0,"transferencia":0},"totalTransacciones":2,"totalVendido":30}` ||
			vr["ventas"].([]any)[0].(map[string]any)["estado_venta"] != "ANULADA" {
			t.Errorf("after annul: %s", js(vr))
		}
		// Another day has nothing.
		if vr := e.get("/reportes/data/ventas-rango?fechaInicio=2020-01-01&fechaFin=2020-12-31", e.admin); js(vr["ventas"]) != "[]" {
			t.Errorf("2020: %s", js(vr))
		}

		// Productividad (step 13).
		pr := e.get("/reportes/data/productividad-operador"+rango, e.admin)
		if js(pr["operadores"]) != `[{"cantidad_ventas":1,"operador":"María","total_facturado":30}]` {
			t.Errorf("productividad: %s", js(pr))
		}
		if pr := e.get(fmt.Sprintf("/reportes/data/productividad-operador%s&operadorId=%d", rango, e.adminID), e.admin); js(pr["operadores"]) != "[]" {
			t.Errorf("productividad of Ana: %s", js(pr))
		}

		// Compras (step 11): a compra row as inventario writes it.
		exec(t, db, "INSERT INTO compra (total, proveedor, pagado_con_caja) VALUES (?, NULL, FALSE)", db.Money(3000))
		cr := e.get("/reportes/data/compras-rango"+rango, e.admin)
		if cr["totalInvertido"] != 30.0 || len(cr["compras"].([]any)) != 1 || cr["compras"].([]any)[0].(map[string]any)["proveedor"] != "Sin Proveedor" {
			t.Errorf("compras: %s", js(cr))
		}

		// Inventario (step 12): A 47, B 4 (returned by the annulment).
		inv := e.get("/reportes/data/inventario", e.admin)
		if js(inv["resumen"]) != `{"gananciaProyectada":228,"itemsBajoStock":1,"totalCosto":342,"totalPrecio":570}` ||
			js(inv["productos"].([]any)[0]) != `{"bajoStock":true,"categoria":"Accesorios","codigo_barras":"-","costo":15,"nombre":"Funda","precio":25,"stock_actual":4}` {
			t.Errorf("inventario: %s", js(inv))
		}

		// Movimientos de la sesión (step 14): the inyección and the recarga.
		mc := e.get(fmt.Sprintf("/reportes/data/movimientos-caja/%d", e.sesionID), e.maria)
		s := mc["sesion"].(map[string]any)
		if s["cajaNombre"] != "Caja 1" || s["montoInicial"] != 100.0 || s["saldoActualTeorico"] != 90.0 || s["fechaCierre"] != nil ||
			js(mc["totales"]) != `{"egresos":50,"ingresos":10,"neto":-40}` {
			t.Errorf("movimientos-caja: %s", js(mc))
		}
		movs := mc["movimientos"].([]any)
		if len(movs) != 2 || movs[0].(map[string]any)["motivo"] != "Fondeo de saldo a operadora Tigo" || movs[0].(map[string]any)["tipo"] != "EGRESO" ||
			movs[1].(map[string]any)["motivo"] != "Venta de recarga a cliente 78945612 (Tigo)" {
			t.Errorf("movimientos: %s", js(movs))
		}
		ch := e.get(fmt.Sprintf("/reportes/data/caja-historial/%d", e.cajaID), e.admin)
		if js(ch["caja"]) != fmt.Sprintf(`{"id":%d,"nombre":"Caja 1"}`, e.cajaID) || len(ch["movimientos"].([]any)) != 2 ||
			js(ch["totales"]) != `{"egresos":50,"ingresos":10,"neto":-40}` || ch["movimientos"].([]any)[0].(map[string]any)["id_sesion"] != float64(e.sesionID) {
			t.Errorf("caja-historial: %s", js(ch))
		}
		// An existing caja without movements: 200, empty.
		res := app.Post("/cajas", e.admin, map[string]any{"nombre": "Caja 2", "especialidad": "MIXTA"})
		ch = e.get(fmt.Sprintf("/reportes/data/caja-historial/%v", res.Map(t)["id"]), e.admin)
		if js(ch["movimientos"]) != "[]" || js(ch["totales"]) != `{"egresos":0,"ingresos":0,"neto":0}` {
			t.Errorf("empty historial: %s", js(ch))
		}

		// Ticket and ficha (steps 12, 15).
		tk := e.get(fmt.Sprintf("/reportes/data/venta/%d", vA), app.Token(role.User))
		if tk["cajero"] != "María" || tk["total"] != 30.0 || tk["estado_venta"] != "COMPLETADA" ||
			js(tk["detalles"]) != `[{"cantidad":3,"nombre":"Cargador 20W","precio_unitario":10,"subtotal":30}]` {
			t.Errorf("ticket: %s", js(tk))
		}
		if tk := e.get(fmt.Sprintf("/reportes/data/venta/%d", vB), e.maria); tk["estado_venta"] != "ANULADA" {
			t.Errorf("annulled ticket: %s", js(tk))
		}
		fi := e.get(fmt.Sprintf("/reportes/data/producto/%d", e.b), e.maria)
		if fi["nombre"] != "Funda" || fi["codigo_barras"] != nil || fi["categoria"] != "Accesorios" || fi["stock_actual"] != 4.0 ||
			fi["stock_minimo"] != 5.0 || fi["precio_venta"] != 25.0 || fi["costo_compra"] != 15.0 {
			t.Errorf("ficha: %s", js(fi))
		}

		// Roles (step 16) and errors.
		cashier := app.Token(role.User)
		for _, c := range []struct {
			path, tok string
			status    int
			msg       any
		}{
			{"/reportes/data/ventas-rango" + rango, e.maria, 403, "Forbidden resource"},
			{"/reportes/data/compras-rango" + rango, cashier, 403, "Forbidden resource"},
			{"/reportes/data/inventario", e.maria, 403, "Forbidden resource"},
			{"/reportes/data/productividad-operador" + rango, e.maria, 403, "Forbidden resource"},
			{"/reportes/data/caja-historial/1", cashier, 403, "Forbidden resource"},
			{fmt.Sprintf("/reportes/data/movimientos-caja/%d", e.sesionID), cashier, 403, "Forbidden resource"},
			{"/reportes/data/movimientos-caja/999999", cashier, 403, "Forbidden resource"},
			{"/reportes/dashboard-stats", "", 401, "Unauthorized"},
			{"/reportes/data/movimientos-caja/999999", e.admin, 404, "Sesión de caja con ID 999999 no encontrada"},
			{"/reportes/data/caja-historial/999999", e.admin, 404, "Caja con ID 999999 no encontrada"},
			{"/reportes/data/venta/999999", e.admin, 404, "Venta con ID 999999 no encontrada"},
			{"/reportes/data/producto/999999", e.admin, 404, "Producto con ID 999999 no encontrado"},
			{"/reportes/data/producto/abc", e.admin, 400, "id debe ser un número entero positivo"},
			{"/reportes/data/movimientos-caja/0", e.admin, 400, "id debe ser un número entero positivo"},
			{"/reportes/dashboard-stats?anio=1999", e.admin, 400, []any{"anio debe ser un año entre 2000 y 2100"}},
			{"/reportes/dashboard-stats?anio=abc", e.admin, 400, []any{"anio debe ser un año entre 2000 y 2100"}},
			{"/reportes/data/ventas-rango", e.admin, 400, []any{"fechaInicio es obligatorio", "fechaFin es obligatorio"}},
			{"/reportes/data/ventas-rango?fechaInicio=2026-02-30&fechaFin=2026-07-01T10:00Z", e.admin, 400,
				[]any{"fechaInicio debe ser una fecha válida (YYYY-MM-DD)", "fechaFin debe ser una fecha válida (YYYY-MM-DD)"}},
			{"/reportes/data/compras-rango?fechaInicio=2026-07-02&fechaFin=2026-07-01", e.admin, 400,
				[]any{"La fecha de inicio no puede ser mayor a la fecha de fin"}},
			{"/reportes/data/productividad-operador?fechaInicio=2026-07-01&operadorId=-1", e.admin, 400,
				[]any{"fechaFin es obligatorio", "operadorId debe ser un número entero positivo"}},
		} {
			res := app.Get(c.path, c.tok)
			if res.Status != c.status || !reflect.DeepEqual(res.Map(t)["message"], c.msg) {
				t.Errorf("GET %s: %s", c.path, res)
			}
		}
		// GETs arrive with Content-Type: application/json and no body (§14.2).
		if res := app.Do(testkit.Request{Method: "GET", Path: "/reportes/dashboard-stats", Token: e.admin,
			Header: map[string]string{"Content-Type": "application/json"}}); res.Status != 200 {
			t.Errorf("GET with Content-Type: %s", res)
		}
	})
}

// Local business days: a sale at 23:30 in La Paz (03:30Z the next UTC day)
// belongs to its local day, and one at local midnight to the next.
func TestVentasRangoLocalDays(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := setup(t, db, map[string]string{"REPORT_MAX_ROWS": "2"})
		for _, at := range []string{"2026-07-15T03:59:59Z", "2026-07-15T04:00:00Z", "2026-07-16T03:30:00Z", "2026-07-16T03:59:59.999Z", "2026-07-16T04:00:00Z"} {
			ts, _ := time.Parse(time.RFC3339Nano, at)
			exec(t, db, "INSERT INTO venta (id_sesion_caja, total, metodo_pago, fecha) VALUES (?, ?, 'QR', ?)", e.sesionID, db.Money(100), db.Time(ts))
		}
		// The sums come from the day aggregate: rebuild it with La Paz days.
		if _, err := reporte.Rebuild(context.Background(), db, laPaz(t)); err != nil {
			t.Fatal(err)
		}
		vr := e.get("/reportes/data/ventas-rango?fechaInicio=2026-07-15&fechaFin=2026-07-15", e.admin)
		tot := vr["totales"].(map[string]any)
		// 04:00Z, 03:30Z+1, 03:59:59.999Z+1: three sales, the newest two listed.
		if tot["totalTransacciones"] != 3.0 || tot["totalVendido"] != 3.0 || vr["truncado"] != true || len(vr["ventas"].([]any)) != 2 ||
			vr["ventas"].([]any)[0].(map[string]any)["fecha"] != "2026-07-16T03:59:59.999Z" {
			t.Errorf("2026-07-15 in La Paz: %s", js(vr))
		}
		vr = e.get("/reportes/data/ventas-rango?fechaInicio=2026-07-14&fechaFin=2026-07-16", e.admin)
		if vr["totales"].(map[string]any)["totalTransacciones"] != 5.0 {
			t.Errorf("three days: %s", js(vr["totales"]))
		}
	})
}

// The dashboard's year and month parts are cached until an event announces
// a change (the after-commit bus, which on PostgreSQL carries every
// replica's events) or reporte.DashboardTTL passes; today's KPIs are read
// every time.
func TestDashboardCache(t *testing.T) {
	db := testkit.NewSQLite(t)
	e := setup(t, db)
	e.sell(e.maria, "EFECTIVO", [2]int64{e.a, 1})
	d := e.get("/reportes/dashboard-stats", e.admin)
	if js(d["top_productos"]) != `[{"cantidad":1,"ganancia":4,"nombre":"Cargador 20W"}]` {
		t.Fatalf("top: %s", js(d["top_productos"]))
	}
	// A change no event announces (SQL by hand): the cached parts stay,
	// the KPIs follow.
	exec(t, db, "UPDATE resumen_producto_anio SET cantidad = 7")
	exec(t, db, "UPDATE resumen_ventas_dia SET total = total + 100")
	d = e.get("/reportes/dashboard-stats", e.admin)
	if js(d["top_productos"]) != `[{"cantidad":1,"ganancia":4,"nombre":"Cargador 20W"}]` || d["kpis"].(map[string]any)["ventas_hoy"] != 11.0 {
		t.Errorf("before the event: top %s, kpis %s", js(d["top_productos"]), js(d["kpis"]))
	}
	// Any sale (here a bare event) invalidates the year part.
	e.app.Bus.Emit(realtime.Event{Entity: "venta", Action: "actualizada"})
	d = e.get("/reportes/dashboard-stats", e.admin)
	if js(d["top_productos"]) != `[{"cantidad":7,"ganancia":4,"nombre":"Cargador 20W"}]` {
		t.Errorf("after the event: %s", js(d["top_productos"]))
	}
	// Top-ups invalidate the month's distribution.
	if res := e.app.Post("/recargas/inyeccion", e.maria, map[string]any{"operadora_destino": "Viva", "monto": 20, "id_caja_sesion": e.sesionID}); res.Status != 201 {
		t.Fatal(res)
	}
	if res := e.app.Post("/recargas/cliente", e.maria, map[string]any{"operadora": "Viva", "numero_cliente": "70000000", "monto": 5, "id_caja_sesion": e.sesionID}); res.Status != 201 {
		t.Fatal(res)
	}
	d = e.get("/reportes/dashboard-stats", e.admin)
	if js(d["recargas_distribucion"]) != `[{"proveedor":"Entel","total":0},{"proveedor":"Viva","total":5},{"proveedor":"Tigo","total":0}]` {
		t.Errorf("distribution: %s", js(d["recargas_distribucion"]))
	}
}
