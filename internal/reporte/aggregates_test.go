package reporte_test

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/reporte"
	"github.com/kantuta/kantuta/internal/testkit"
)

// aggRows reads a query of (key text, money or int columns…) as strings,
// one per row, skipping all-zero rows (an annulled day leaves its key at 0).
func aggRows(t *testing.T, db *database.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var key string
		var a, b money.Cents
		var n int64
		if err := rows.Scan(&key, &n, &a, &b); err != nil {
			t.Fatal(err)
		}
		if n == 0 && a == 0 && b == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s n=%d a=%s b=%s", key, n, a, b))
	}
	return out
}

// SPEC §14.4: random sales, payment-method edits, annulments and deletions
// leave resumen_ventas_dia, resumen_producto_mes and resumen_producto_anio
// equal to the same sums computed by SQL from the raw rows, on both
// databases; and `reportes rebuild` recomputes exactly what the
// transactions maintained.
func TestAggregatesEqualRawRows(t *testing.T) {
	for _, seed := range []int64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
				e := setup(t, db)
				rnd := rand.New(rand.NewSource(seed))
				exec(t, db, "UPDATE producto SET stock_actual = 100000")
				prods := []int64{e.a, e.b}
				for i := 0; i < 4; i++ {
					prods = append(prods, scalar[int64](t, db, `INSERT INTO producto (nombre, nombre_key, nombre_norm, precio_venta, costo_compra, stock_actual, id_categoria)
						SELECT ?, ?, ?, ?, ?, 100000, id_categoria FROM producto WHERE id = ? RETURNING id`,
						fmt.Sprint("P", i), fmt.Sprint("p", i), fmt.Sprint("p", i), db.Money(money.Cents(rnd.Intn(5000)+1)),
						db.Money(money.Cents(rnd.Intn(3000))), e.a))
				}
				sellers := []string{e.maria, e.admin}
				metodos := []string{"EFECTIVO", "QR", "TRANSFERENCIA"}
				var ventas []int64
				for i := 0; i < 40; i++ {
					var lines [][2]int64
					for j := 0; j <= rnd.Intn(3); j++ {
						lines = append(lines, [2]int64{prods[rnd.Intn(len(prods))], int64(rnd.Intn(4) + 1)})
					}
					ventas = append(ventas, e.sell(sellers[rnd.Intn(2)], metodos[rnd.Intn(3)], lines...))
					// Now and then change one of the earlier ventas.
					if rnd.Intn(3) == 0 {
						v := ventas[rnd.Intn(len(ventas))]
						path := fmt.Sprintf("/ventas/%d", v)
						var res interface{ String() string }
						status := 0
						switch rnd.Intn(3) {
						case 0:
							r := e.app.Patch(path, e.admin, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "prueba"})
							res, status = r, r.Status
						case 1:
							r := e.app.Patch(path, e.admin, map[string]any{"metodo_pago": metodos[rnd.Intn(3)], "motivo_edicion": "cambio"})
							res, status = r, r.Status
						case 2:
							r := e.app.Delete(path, e.admin)
							res, status = r, r.Status
						}
						// Already annulled (409) or deleted (404) are the only refusals.
						if status != 200 && status != 409 && status != 404 {
							t.Fatalf("%s: %s", path, res)
						}
					}
				}
				loc, _ := time.LoadLocation("America/La_Paz")
				now := time.Now().In(loc)
				dia, mes, anio := now.Format(time.DateOnly), now.Format("2006-01"), now.Format("2006")
				// Every test sale is of today: the raw side groups by the
				// other keys and takes today's day and month as the key.
				rawDays := aggRows(t, db, `SELECT ? || '/' || s.id_caja || '/' || COALESCE(v.id_user_create, 0) || '/' || v.metodo_pago,
					COUNT(*), COALESCE(SUM(v.total), 0), 0
					FROM venta v JOIN sesiones_caja s ON s.id = v.id_sesion_caja WHERE `+reporte.Counted+`
					GROUP BY s.id_caja, v.id_user_create, v.metodo_pago ORDER BY 1`, dia)
				aggDays := aggRows(t, db, `SELECT dia || '/' || id_caja || '/' || id_usuario || '/' || metodo_pago, n, total, 0
					FROM resumen_ventas_dia ORDER BY 1`)
				if !reflect.DeepEqual(rawDays, aggDays) || len(rawDays) == 0 {
					t.Errorf("resumen_ventas_dia:\n got %q\nwant %q", aggDays, rawDays)
				}
				rawProducts := aggRows(t, db, `SELECT ? || '/' || d.id_producto, SUM(d.cantidad), SUM(d.subtotal), SUM(d.cantidad * d.costo_unitario)
					FROM detalles_venta d JOIN venta v ON v.id = d.id_venta WHERE d.estado AND `+reporte.Counted+`
					GROUP BY d.id_producto ORDER BY 1`, mes)
				aggProducts := aggRows(t, db, `SELECT mes || '/' || id_producto, cantidad, importe, costo FROM resumen_producto_mes ORDER BY 1`)
				if !reflect.DeepEqual(rawProducts, aggProducts) || len(rawProducts) == 0 {
					t.Errorf("resumen_producto_mes:\n got %q\nwant %q", aggProducts, rawProducts)
				}
				rawYear := aggRows(t, db, `SELECT ? || '/' || d.id_producto, SUM(d.cantidad), SUM(d.subtotal), SUM(d.cantidad * d.costo_unitario)
					FROM detalles_venta d JOIN venta v ON v.id = d.id_venta WHERE d.estado AND `+reporte.Counted+`
					GROUP BY d.id_producto ORDER BY 1`, anio)
				yearRows := `SELECT CAST(anio AS TEXT) || '/' || id_producto, cantidad, importe, costo FROM resumen_producto_anio ORDER BY 1`
				aggYear := aggRows(t, db, yearRows)
				if !reflect.DeepEqual(rawYear, aggYear) || len(rawYear) == 0 {
					t.Errorf("resumen_producto_anio:\n got %q\nwant %q", aggYear, rawYear)
				}
				// rebuild writes the same rows (minus the zero ones).
				st, err := reporte.Rebuild(context.Background(), db, loc)
				if err != nil {
					t.Fatal(err)
				}
				if got := aggRows(t, db, `SELECT dia || '/' || id_caja || '/' || id_usuario || '/' || metodo_pago, n, total, 0
					FROM resumen_ventas_dia ORDER BY 1`); !reflect.DeepEqual(got, aggDays) {
					t.Errorf("rebuilt days:\n got %q\nwant %q", got, aggDays)
				}
				if got := aggRows(t, db, `SELECT mes || '/' || id_producto, cantidad, importe, costo FROM resumen_producto_mes ORDER BY 1`); !reflect.DeepEqual(got, aggProducts) {
					t.Errorf("rebuilt products:\n got %q\nwant %q", got, aggProducts)
				}
				if got := aggRows(t, db, yearRows); !reflect.DeepEqual(got, aggYear) {
					t.Errorf("rebuilt years:\n got %q\nwant %q", got, aggYear)
				}
				if st.Dias != int64(len(aggDays)) || st.Productos != int64(len(aggProducts)) || st.ProductosAnio != int64(len(aggYear)) {
					t.Errorf("rebuild stats %+v", st)
				}
				// The dashboard reads the aggregates: its figure is the raw one.
				d := e.get("/reportes/dashboard-stats", e.maria)
				raw := scalar[money.Cents](t, db, "SELECT COALESCE(SUM(v.total), 0) FROM venta v WHERE "+reporte.Counted)
				if got := js(d["kpis"].(map[string]any)["ventas_hoy"]); got != js(money.Number(raw)) {
					t.Errorf("ventas_hoy = %s, raw %s", got, raw)
				}
			})
		})
	}
}

// The dashboard's top five products of a year, read from
// resumen_producto_anio: most units first, ties by name (the rows tied at
// the fifth place included before the cut), nothing of another year,
// nothing at zero units (an annulled year's row stays at 0).
func TestTopProductos(t *testing.T) {
	type row struct {
		name     string
		anio     int
		cantidad int64
		ganancia money.Cents
	}
	cases := []struct {
		name string
		rows []row
		want string
	}{
		{"none", nil, `[]`},
		{"fewer than five, zero and other years left out", []row{{"B", 2025, 2, 300}, {"A", 2025, 0, 0}, {"C", 2024, 9, 100}, {"D", 2025, 1, -50}},
			`[{"nombre":"B","cantidad":2,"ganancia":3},{"nombre":"D","cantidad":1,"ganancia":-0.5}]`},
		{"ties at the cut ordered by name", []row{{"Zeta", 2025, 9, 100}, {"Eme", 2025, 7, 1}, {"Be", 2025, 7, 2}, {"Ce", 2025, 5, 3},
			{"Ae", 2025, 5, 4}, {"De", 2025, 5, 5}, {"Efe", 2025, 4, 6}, {"Ge", 2026, 50, 7}},
			`[{"nombre":"Zeta","cantidad":9,"ganancia":1},{"nombre":"Be","cantidad":7,"ganancia":0.02},{"nombre":"Eme","cantidad":7,"ganancia":0.01},` +
				`{"nombre":"Ae","cantidad":5,"ganancia":0.04},{"nombre":"Ce","cantidad":5,"ganancia":0.03}]`},
	}
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		cat := scalar[int64](t, db, "INSERT INTO categoria (nombre, nombre_key) VALUES ('Top', 'top') RETURNING id")
		s := reporte.NewStore(db, 100)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				exec(t, db, "DELETE FROM resumen_producto_anio")
				for _, r := range c.rows {
					key := fmt.Sprintf("%d-%s", i, r.name)
					id := scalar[int64](t, db, `INSERT INTO producto (nombre, nombre_key, nombre_norm, precio_venta, costo_compra, stock_actual, id_categoria)
						VALUES (?, ?, ?, 100, 50, 1, ?) RETURNING id`, r.name, key, key, cat)
					exec(t, db, "INSERT INTO resumen_producto_anio (anio, id_producto, cantidad, importe, costo) VALUES (?, ?, ?, ?, ?)",
						r.anio, id, r.cantidad, db.Money(r.ganancia+1000), db.Money(1000))
				}
				_, top, err := s.Year(context.Background(), 2025)
				if err != nil {
					t.Fatal(err)
				}
				if got := js(top); got != c.want {
					t.Errorf("top = %s\nwant  %s", got, c.want)
				}
			})
		}
	})
}

// Migration 00012 fills resumen_producto_anio from the months already
// kept, so an existing database needs no rebuild for the dashboard.
func TestMigrationFillsYearAggregate(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		for {
			path, err := db.MigrateDown(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(path, "00012_") {
				break
			}
		}
		for _, r := range []struct {
			mes     string
			p, q    int64
			imp, co money.Cents
		}{{"2025-11", 1, 2, 300, 100}, {"2025-12", 1, 3, 450, 150}, {"2026-01", 1, 1, 150, 50}, {"2025-12", 2, 0, 0, 0}, {"2026-02", 2, 4, 999, 1}} {
			exec(t, db, "INSERT INTO resumen_producto_mes (mes, id_producto, cantidad, importe, costo) VALUES (?, ?, ?, ?, ?)",
				r.mes, r.p, r.q, db.Money(r.imp), db.Money(r.co))
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		got := aggRows(t, db, `SELECT CAST(anio AS TEXT) || '/' || id_producto, cantidad, importe, costo FROM resumen_producto_anio ORDER BY 1`)
		want := []string{"2025/1 n=5 a=7.50 b=2.50", "2026/1 n=1 a=1.50 b=0.50", "2026/2 n=4 a=9.99 b=0.01"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("resumen_producto_anio after the migration:\n got %q\nwant %q", got, want)
		}
	})
}
