package caja_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/caja"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// The demo seed writes ventas, lines and aggregates that agree, keyed by
// local days of KANTUTA_TZ, on both databases (batches of SeedBatch cross).
func TestSeedDemoVentas(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.app.NewUsuario(role.Admin)
		loc := f.app.Config.Location
		n := caja.SeedBatch + 150
		if err := caja.NewStore(db).SeedDemo(context.Background(), n, loc, nil); err != nil {
			t.Fatal(err)
		}
		var count, lines int64
		if err := db.Raw("SELECT COUNT(*), (SELECT COUNT(*) FROM detalles_venta) FROM venta").Row().Scan(&count, &lines); err != nil {
			t.Fatal(err)
		}
		if count != int64(n) || lines < int64(n) || lines > 5*int64(n) {
			t.Errorf("%d ventas, %d lines", count, lines)
		}
		f.checkAggregates()
		// Per local day, from the raw rows in Go.
		rows, err := db.Raw("SELECT fecha, total FROM venta WHERE estado AND estado_venta <> 'ANULADA'").Rows()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]money.Cents{}
		for rows.Next() {
			var fecha caja.Stamp
			var total money.Cents
			if err := rows.Scan(&fecha, &total); err != nil {
				t.Fatal(err)
			}
			want[fecha.Time().In(loc).Format(time.DateOnly)] += total
		}
		rows.Close()
		rows, err = db.Raw("SELECT dia, SUM(total) FROM resumen_ventas_dia GROUP BY dia").Rows()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]money.Cents{}
		for rows.Next() {
			var dia string
			var total money.Cents
			if err := rows.Scan(&dia, &total); err != nil {
				t.Fatal(err)
			}
			got[dia] = total
		}
		rows.Close()
		if len(got) != len(want) {
			t.Errorf("%d days in resumen_ventas_dia, %d in the rows", len(got), len(want))
		}
		for d, w := range want {
			if got[d] != w {
				t.Errorf("day %s: resumen %v, rows %v", d, got[d], w)
			}
		}
		// The reads work on the seeded rows.
		tok := f.app.Token(role.User)
		if res := f.app.Post("/ventas/reporte-resumen", tok, map[string]any{"fechaInicio": time.Now().In(loc).AddDate(0, 0, -30).Format(time.DateOnly),
			"fechaFin": time.Now().In(loc).Format(time.DateOnly)}); res.Status != 200 {
			t.Errorf("reporte: %s", res)
		}
	})
}

// GET /ventas streams every active venta, newest first, across pages.
func TestListVentasPages(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.app.NewUsuario(role.Admin)
		const n = 1203
		if err := caja.NewStore(db).SeedDemo(context.Background(), n, time.UTC, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("UPDATE venta SET estado = FALSE WHERE id = 600").Error; err != nil {
			t.Fatal(err)
		}
		res := f.app.Get("/ventas", f.app.Token(role.User))
		var list []struct {
			ID       int64
			Detalles []struct {
				IDVenta int64 `json:"id_venta"`
			}
		}
		res.JSON(t, &list)
		if res.Status != 200 || len(list) != n-1 {
			t.Fatalf("%d ventas listed, want %d", len(list), n-1)
		}
		for i, v := range list {
			if (i > 0 && v.ID >= list[i-1].ID) || v.ID == 600 || len(v.Detalles) == 0 || v.Detalles[0].IDVenta != v.ID {
				t.Fatalf("item %d: %+v", i, v)
			}
		}
	})
}

// A large PostgreSQL seed loads without the venta/detalles_venta indexes
// and foreign keys and makes them again in its one transaction: after a
// seed the schema is exactly as before (foreign keys validated), and a
// seed that fails half-way leaves neither its rows nor a changed schema.
func TestSeedDemoBulkKeepsSchema(t *testing.T) {
	db := testkit.NewPostgres(t)
	if db == nil {
		t.Skip("PostgreSQL not reachable")
	}
	defer caja.SetSeedBulkThreshold(1000)()
	f := newFixture(t, db)
	f.app.NewUsuario(role.Admin)
	want := testkit.PostgresSchema(t, db, "venta", "detalles_venta")
	if len(want) < 10 {
		t.Fatalf("schema read: %q", want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled after the first batch is written: nothing stays.
	err := caja.NewStore(db).SeedDemo(ctx, caja.SeedBatch+500, time.UTC, func(done int) { cancel() })
	if err == nil {
		t.Fatal("cancelled seed answered no error")
	}
	var n int64
	if err := db.Raw("SELECT COUNT(*) + (SELECT COUNT(*) FROM detalles_venta) + (SELECT COUNT(*) FROM resumen_producto_anio) FROM venta").Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	if got := testkit.PostgresSchema(t, db, "venta", "detalles_venta"); n != 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("after a failed seed: %d rows; schema\n got %q\nwant %q", n, got, want)
	}
	if err := caja.NewStore(db).SeedDemo(context.Background(), 1500, time.UTC, nil); err != nil {
		t.Fatal(err)
	}
	if got := testkit.PostgresSchema(t, db, "venta", "detalles_venta"); !reflect.DeepEqual(got, want) {
		t.Errorf("after a bulk seed: schema\n got %q\nwant %q", got, want)
	}
	if err := db.Raw("SELECT COUNT(*) FROM venta").Row().Scan(&n); err != nil || n != 1500 {
		t.Errorf("%d ventas, %v", n, err)
	}
	f.checkAggregates()
	// The foreign keys hold again.
	if err := db.Exec("INSERT INTO detalles_venta (id_venta, id_producto, cantidad, precio_unitario, costo_unitario, subtotal) VALUES (1, 999999, 1, 1, 1, 1)").Error; err == nil {
		t.Error("a line of an unknown product was accepted")
	}
}
