package inventario_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/testkit"
)

// takeAndRecord is what a venta does with the ledger: one transaction.
func takeAndRecord(t *testing.T, e *env, producto, q int64) error {
	t.Helper()
	return e.db.Tx(context.Background(), func(tx *gorm.DB) error {
		lines := []inventario.StockLine{{ProductoID: producto, Cantidad: q}}
		if _, err := e.app.Ledger.Take(tx, lines); err != nil {
			return err
		}
		_, err := e.app.Ledger.Record(tx, inventario.TipoVenta, 0, e.adminID, lines, -1)
		return err
	})
}

// 100 parallel one-unit decrements, each its own transaction, on stock
// 50: exactly 50 succeed, the rest get "Stock insuficiente", stock ends at
// 0, never negative, and the movements add up.
func TestLedgerTakeRace(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		p := id(e.producto(map[string]any{"nombre": "Galletas", "id_categoria": e.categoria("Snacks"), "stock_actual": 50, "stock_minimo": 0}))
		var ok, short, other int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := takeAndRecord(t, e, p, 1)
				var se *inventario.StockError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.As(err, &se) && !se.Missing && se.Stock == 0 && se.Error() == "Stock insuficiente para el producto Galletas. Stock actual: 0":
					short++
				default:
					other++
					t.Errorf("take: %v", err)
				}
			}()
		}
		wg.Wait()
		t.Logf("%s: %d taken, %d refused (stock insuficiente), %d other", db.Dialect, ok, short, other)
		if ok != 50 || short != 50 || other != 0 {
			t.Fatalf("taken %d, refused %d, other %d", ok, short, other)
		}
		if s := e.scalar("SELECT stock_actual FROM producto WHERE id = ?", p); s != 0 {
			t.Fatalf("stock = %d", s)
		}
		e.invariant()
		// Missing and inactive products.
		var se *inventario.StockError
		if err := takeAndRecord(t, e, 987654, 1); !errors.As(err, &se) || !se.Missing || se.Error() != "Producto con ID 987654 no encontrado" {
			t.Fatalf("missing: %v", err)
		}
	})
}

// 20 parallel creates of one barcode: one 201, nineteen 409, no 5xx.
func TestBarcodeCreateRace(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		cat := e.categoria("Cargadores")
		statuses := make([]int, 20)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.app.Post("/inventario/producto", e.admin, map[string]any{"nombre": fmt.Sprintf("Cargador %d", i), "codigo_barras": "7750001",
					"precio_venta": 1, "costo_compra": 1, "stock_actual": 1, "stock_minimo": 0, "id_categoria": cat}).Status
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		t.Logf("%s: %v", db.Dialect, count)
		if count[201] != 1 || count[409] != 19 {
			t.Fatalf("statuses %v", count)
		}
		if n := e.scalar("SELECT COUNT(*) FROM producto WHERE codigo_barras = '7750001'"); n != 1 {
			t.Fatalf("%d rows with the code", n)
		}
	})
}

// Compras racing each other, AJUSTE and ledger decrements: stock always
// equals the sum of its movements, and compras with the same products in
// opposite orders never deadlock into a 5xx.
func TestCompraRaces(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		cat := e.categoria("Bebidas")
		a := id(e.producto(map[string]any{"nombre": "A", "id_categoria": cat, "stock_actual": 100}))
		b := id(e.producto(map[string]any{"nombre": "B", "id_categoria": cat, "stock_actual": 100}))
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[string]int{}
		note := func(kind string, status int) {
			mu.Lock()
			statuses[fmt.Sprintf("%s %d", kind, status)]++
			mu.Unlock()
		}
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch i % 4 {
				case 0: // A then B
					note("compra", e.app.Post("/compras", e.lider, map[string]any{"pagar_con_caja": false, "detalles": []any{
						map[string]any{"id_producto": a, "cantidad": 3, "costo_unitario": 1}, map[string]any{"id_producto": b, "cantidad": 2, "costo_unitario": 1}}}).Status)
				case 1: // B then A
					note("compra", e.app.Post("/compras", e.lider, map[string]any{"pagar_con_caja": false, "detalles": []any{
						map[string]any{"id_producto": b, "cantidad": 5, "costo_unitario": 2}, map[string]any{"id_producto": a, "cantidad": 1, "costo_unitario": 2}}}).Status)
				case 2:
					note("ajuste", e.app.Patch("/inventario/producto/"+itoa(a), e.admin, map[string]any{"stock_actual": 50 + i}).Status)
				case 3:
					err := takeAndRecord(t, e, b, 2)
					status := http.StatusOK
					if err != nil {
						status = http.StatusBadRequest
						var se *inventario.StockError
						if !errors.As(err, &se) {
							t.Errorf("take: %v", err)
						}
					}
					note("take", status)
				}
			}()
		}
		wg.Wait()
		t.Logf("%s: %v", db.Dialect, statuses)
		for k := range statuses {
			if k != "compra 201" && k != "ajuste 200" && k != "take 200" {
				t.Errorf("unexpected outcome %q", k)
			}
		}
		e.invariant()
	})
}

// Give returns stock (annulment of a venta) also to a product deleted
// since, records ANULACION movements, re-arms the low-stock flag, and
// refuses an overflow or an unknown product.
func TestLedgerGive(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		cat := e.categoria("Snacks")
		p := id(e.producto(map[string]any{"nombre": "Maní", "id_categoria": cat, "stock_actual": 4, "stock_minimo": 3}))
		if err := takeAndRecord(t, e, p, 2); err != nil { // low now
			t.Fatal(err)
		}
		e.expect(e.app.Delete("/inventario/producto/"+itoa(p), e.admin), http.StatusOK)
		give := func(id, q int64) (map[int64]inventario.Product, error) {
			var out map[int64]inventario.Product
			err := db.Tx(context.Background(), func(tx *gorm.DB) error {
				lines := []inventario.StockLine{{ProductoID: id, Cantidad: q}, {ProductoID: id, Cantidad: 1}}
				var err error
				if out, err = e.app.Ledger.Give(tx, lines); err != nil {
					return err
				}
				_, err = e.app.Ledger.Record(tx, inventario.TipoAnulacion, 41, e.adminID, lines, +1)
				return err
			})
			return out, err
		}
		got, err := give(p, 1)
		if err != nil || got[p].StockActual != 4 || got[p].Estado {
			t.Fatalf("give: %v %+v", err, got)
		}
		if e.scalar("SELECT cantidad FROM movimiento_stock WHERE tipo = 'ANULACION' AND id_producto = ? AND id_referencia = 41", p) != 2 {
			t.Fatal("no ANULACION movement of +2")
		}
		if e.scalar("SELECT COUNT(*) FROM producto WHERE id = ? AND alerta_stock_bajo", p) != 0 {
			t.Fatal("flag not re-armed")
		}
		if _, err := give(p, inventario.MaxStock); !errors.Is(err, inventario.ErrStockOverflow) {
			t.Fatalf("overflow: %v", err)
		}
		var se *inventario.StockError
		if _, err := give(987654, 1); !errors.As(err, &se) || !se.Missing {
			t.Fatalf("unknown: %v", err)
		}
		e.invariant()
	})
}
