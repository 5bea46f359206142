package inventario_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/testkit"
)

// The whole product list, as the fast path writes it (pgx raw values on
// PostgreSQL, pooled chunks), is byte for byte what encoding/json writes
// for the products read one by one through database/sql (the path the list
// had before): tricky names, NULLs, extreme amounts and stocks, times
// before 1970 and with sub-millisecond digits, more than one output chunk,
// the filters and the empty list.
func TestProductListBytes(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := inventario.SeedDemo(ctx, db, 300, nil); err != nil { // ~170 KB: three chunks
			t.Fatal(err)
		}
		cat := e.categoria("Cámara <b> & \"x\"")
		tricky := []int64{
			id(e.producto(map[string]any{"nombre": "uno", "id_categoria": cat, "codigo_barras": "77<50>&\"01\\"})),
			id(e.producto(map[string]any{"nombre": "dos", "id_categoria": cat, "stock_actual": 0, "stock_minimo": 0})),
			id(e.producto(map[string]any{"nombre": "tres", "id_categoria": cat})),
		}
		gone := id(e.producto(map[string]any{"nombre": "borrado", "id_categoria": cat}))
		e.expect(e.app.Delete("/inventario/producto/"+itoa(gone), e.admin), http.StatusOK)
		created, updated := "1969-12-31 23:59:59.999512+00", "2026-07-10 14:22:00.123456+00"
		if !db.IsPostgres() {
			created, updated = "1969-12-31 23:59:59.999", "2026-07-10 14:22:00.123"
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.Exec(q, args...).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec("UPDATE categoria SET nombre = ? WHERE id = ?", "Línea\u2028sep\u2029 <script>", cat)
		exec("UPDATE producto SET nombre = ?, precio_venta = ?, costo_compra = ?, stock_actual = 2147483647, id_user_create = NULL, id_user_update = 42, created_at = ?, updated_at = ? WHERE id = ?",
			"Cargador \"20W\" \\ <x> & y \x01\x1f\t\n\r\b\f", db.Money(money.Max), db.Money(5), created, updated, tricky[0])
		exec("UPDATE producto SET nombre = ?, codigo_barras = NULL, precio_venta = 0, costo_compra = 0 WHERE id = ?", "🧉 Mate\u2029 ñandú", tricky[1])
		exec("UPDATE producto SET nombre = '' WHERE id = ?", tricky[2])

		want := referenceList(t, db, func(p inventario.Producto) bool { return true })
		if strings.Count(string(want), `"id":`) < 300 || len(want) < 2*(64<<10) {
			t.Fatalf("reference list too short: %d bytes", len(want))
		}
		for _, tc := range []struct {
			query string
			keep  func(p inventario.Producto) bool
		}{
			{"", func(inventario.Producto) bool { return true }},
			{"?id_categoria=" + itoa(cat), func(p inventario.Producto) bool { return p.IDCategoria == cat }},
			{"?bajo_stock=true", func(p inventario.Producto) bool { return p.StockActual <= p.StockMinimo }},
			{"?id_categoria=999999", func(inventario.Producto) bool { return false }},
		} {
			res := e.app.Get("/inventario/producto"+tc.query, e.user)
			if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Fatalf("%s: %d %s", tc.query, res.Status, res.Header.Get("Content-Type"))
			}
			if want := referenceList(t, db, tc.keep); string(res.Body) != string(want) {
				t.Fatalf("GET /inventario/producto%s differs from encoding/json at byte %d:\n got %.300s\nwant %.300s",
					tc.query, diffAt(res.Body, want), res.Body[min(diffAt(res.Body, want), len(res.Body)):], want[min(diffAt(res.Body, want), len(want)):])
			}
		}

		if db.IsPostgres() {
			// The same list through database/sql: a DATABASE_URL in simple
			// protocol gets text results, which the raw path leaves alone.
			var schema string
			if err := db.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
				t.Fatal(err)
			}
			simple, err := database.Open(ctx, testkit.WithSearchPath(testkit.PostgresURL(), schema)+"&default_query_exec_mode=simple_protocol", database.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer simple.Close()
			app := testkit.NewApp(t, simple)
			if res := app.Get("/inventario/producto", e.user); string(res.Body) != string(want) {
				t.Fatalf("simple protocol: differs from encoding/json at byte %d", diffAt(res.Body, want))
			}
		}
	})
}

// A product whose category was created after the list read the
// categories still gets its category (it was read then on its own), not
// broken JSON.
func TestProductListNewCategoria(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		e.producto(map[string]any{"nombre": "antes", "id_categoria": e.categoria("Vieja")})
		var hookErr error
		inventario.SetTestHookCategoriasRead(func() {
			inventario.SetTestHookCategoriasRead(nil)
			var cat int64
			hookErr = db.Raw("INSERT INTO categoria (nombre, nombre_key, created_at, updated_at) VALUES ('Nueva', 'nueva', " + db.NowSQL() + ", " + db.NowSQL() + ") RETURNING id").Row().Scan(&cat)
			if hookErr == nil {
				hookErr = db.Exec("INSERT INTO producto (nombre, nombre_key, nombre_norm, precio_venta, costo_compra, id_categoria, created_at, updated_at) VALUES ('después', 'después', 'despues', 1, 1, ?, "+db.NowSQL()+", "+db.NowSQL()+")", cat).Error
			}
		})
		t.Cleanup(func() { inventario.SetTestHookCategoriasRead(nil) })
		res := e.app.Get("/inventario/producto", e.user)
		if hookErr != nil {
			t.Fatal(hookErr)
		}
		want := referenceList(t, db, func(inventario.Producto) bool { return true })
		if res.Status != http.StatusOK || string(res.Body) != string(want) || !strings.Contains(string(want), `"nombre":"Nueva"`) {
			t.Fatalf("got %s\nwant %s", res, want)
		}
	})
}

// referenceList is the list as encoding/json writes it, from each active
// product read by Store.Producto (database/sql, the category joined).
func referenceList(t *testing.T, db *database.DB, keep func(inventario.Producto) bool) []byte {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	if err := db.Raw("SELECT id FROM producto WHERE estado ORDER BY id DESC").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	store := inventario.NewStore(db)
	list := []inventario.Producto{}
	for _, id := range ids {
		p, err := store.Producto(ctx, db.SQL, id)
		if err != nil {
			t.Fatalf("producto %d: %v", id, err)
		}
		if keep(p) {
			list = append(list, p)
		}
	}
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func diffAt(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
