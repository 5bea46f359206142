package caja_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/testkit"
)

// fixture is an app with a category to hang products on.
type fixture struct {
	t   *testing.T
	app *testkit.App
	db  *database.DB
	cat int64
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	app := testkit.NewApp(t, db)
	app.ValidateResponses(t)
	f := &fixture{t: t, app: app, db: db}
	if err := db.Raw("INSERT INTO categoria (nombre, nombre_key) VALUES ('Bebidas', 'bebidas') RETURNING id").Row().Scan(&f.cat); err != nil {
		t.Fatal(err)
	}
	return f
}

// product inserts an active product (inventario's routes are another
// branch's; the table is what ventas use).
func (f *fixture) product(nombre string, precio, costo money.Cents, stock, minimo int64) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.Raw(`INSERT INTO producto (nombre, nombre_key, nombre_norm, precio_venta, costo_compra, stock_actual, stock_minimo, id_categoria)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nombre, nombre, nombre, f.db.Money(precio), f.db.Money(costo), stock, minimo, f.cat).Row().Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) stock(id int64) int64 {
	f.t.Helper()
	var n int64
	if err := f.db.Raw("SELECT stock_actual FROM producto WHERE id = ?", id).Row().Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) saldo(cajaID int64) money.Cents {
	f.t.Helper()
	var c money.Cents
	if err := f.db.Raw("SELECT saldo FROM cajas WHERE id = ?", cajaID).Row().Scan(&c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// expected recomputes a session's expected cash from the raw rows.
func (f *fixture) expected(sesionID int64) money.Cents {
	f.t.Helper()
	var base, ventas, ing, egr money.Cents
	q := func(dst *money.Cents, sql string) {
		if err := f.db.Raw(sql, sesionID).Row().Scan(dst); err != nil {
			f.t.Fatal(err)
		}
	}
	q(&base, "SELECT monto_inicial FROM sesiones_caja WHERE id = ?")
	q(&ventas, "SELECT COALESCE(SUM(total), 0) FROM venta WHERE id_sesion_caja = ? AND estado AND metodo_pago = 'EFECTIVO' AND estado_venta <> 'ANULADA'")
	q(&ing, "SELECT COALESCE(SUM(monto), 0) FROM movimientos_caja WHERE id_sesion_caja = ? AND estado AND tipo = 'INGRESO'")
	q(&egr, "SELECT COALESCE(SUM(monto), 0) FROM movimientos_caja WHERE id_sesion_caja = ? AND estado AND tipo = 'EGRESO'")
	return base + ventas + ing - egr
}

// invariant: while the session is open, caja.saldo equals its expected cash.
func (f *fixture) invariant(cajaID, sesionID int64) {
	f.t.Helper()
	if got, want := f.saldo(cajaID), f.expected(sesionID); got != want {
		f.t.Fatalf("invariant broken: caja %d saldo %v, session %d expected cash %v", cajaID, got, sesionID, want)
	}
}

// caja creates a caja with saldo given as the decimal the client sends
// ("100", "12.50"): a JSON number, never a float in Go.
func (f *fixture) caja(adminTok, nombre, saldo string) int64 {
	f.t.Helper()
	res := f.app.Post("/cajas", adminTok, map[string]any{"nombre": nombre, "especialidad": "MIXTA", "saldo": json.Number(saldo), "id_user_create": 1})
	if res.Status != 201 {
		f.t.Fatalf("POST /cajas: %s", res)
	}
	return int64(res.Map(f.t)["id"].(float64))
}

func (f *fixture) abrir(tok string, cajaID int64) int64 {
	f.t.Helper()
	res := f.app.Post("/cajas/abrir", tok, map[string]any{"id_caja": cajaID})
	if res.Status != 201 {
		f.t.Fatalf("abrir: %s", res)
	}
	return int64(res.Map(f.t)["id"].(float64))
}

func (f *fixture) sell(tok string, sesionID int64, metodo string, lines ...[2]int64) *testkit.Response {
	f.t.Helper()
	det := []map[string]any{}
	for _, l := range lines {
		det = append(det, map[string]any{"id_producto": l[0], "cantidad": l[1]})
	}
	return f.app.Post("/ventas", tok, map[string]any{"metodo_pago": metodo, "id_sesion_caja": sesionID, "detalles": det})
}

// events records what the bus delivers.
type events struct {
	mu  sync.Mutex
	got []string
}

func (f *fixture) listen() *events {
	e := &events{}
	cancel := f.app.Bus.Subscribe(func(ev realtime.Event) {
		e.mu.Lock()
		e.got = append(e.got, ev.Entity+"/"+ev.Action)
		e.mu.Unlock()
	})
	f.t.Cleanup(cancel)
	return e
}

func (e *events) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.got
	e.got = nil
	return out
}

func msgs(t *testing.T, r *testkit.Response) string {
	t.Helper()
	return fmt.Sprint(r.Map(t)["message"])
}

var _ = context.Background
