package caja_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// Random sales, payment-method edits, annulments and deletions keep the
// §14.4 aggregates equal to the raw rows, the drawer equal to the
// session's expected cash and the stock movements equal to the lines.
func TestRandomVentasKeepAggregates(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, adminTok := f.app.NewUsuario(role.Admin)
		_, tok := f.app.NewUsuario(role.User)
		var prods []int64
		for i := 0; i < 4; i++ {
			prods = append(prods, f.product(fmt.Sprintf("P%d", i), money.Cents(150+i*75), 100, 1000, 5))
		}
		c := f.caja(adminTok, "Caja 01", "500")
		sid := f.abrir(tok, c)
		rng := rand.New(rand.NewPCG(1, 2))
		metodos := []string{"EFECTIVO", "QR", "TRANSFERENCIA"}
		var ventas []int64
		for step := 0; step < 60; step++ {
			switch r := rng.IntN(10); {
			case r < 6 || len(ventas) == 0:
				var lines [][2]int64
				for j := 0; j <= rng.IntN(3); j++ {
					lines = append(lines, [2]int64{prods[rng.IntN(len(prods))], int64(1 + rng.IntN(3))})
				}
				res := f.sell(tok, sid, metodos[rng.IntN(3)], lines...)
				if res.Status != 201 {
					t.Fatalf("step %d sell: %s", step, res)
				}
				ventas = append(ventas, int64(res.Map(t)["id"].(float64)))
			case r < 8:
				id := ventas[rng.IntN(len(ventas))]
				res := f.app.Patch(fmt.Sprintf("/ventas/%d", id), adminTok, map[string]any{"metodo_pago": metodos[rng.IntN(3)], "motivo_edicion": "cambio"})
				if res.Status != 200 && res.Status != 409 && res.Status != 404 {
					t.Fatalf("step %d edit: %s", step, res)
				}
			case r < 9:
				id := ventas[rng.IntN(len(ventas))]
				res := f.app.Patch(fmt.Sprintf("/ventas/%d", id), adminTok, map[string]any{"estado_venta": "ANULADA", "motivo_edicion": "x"})
				if res.Status != 200 && res.Status != 409 && res.Status != 404 {
					t.Fatalf("step %d annul: %s", step, res)
				}
			default:
				id := ventas[rng.IntN(len(ventas))]
				res := f.app.Delete(fmt.Sprintf("/ventas/%d", id), adminTok)
				if res.Status != 200 && res.Status != 404 {
					t.Fatalf("step %d delete: %s", step, res)
				}
			}
			f.invariant(c, sid)
		}
		f.checkAggregates()
		f.checkStockLedger()
		// Stock: what was sold and not annulled left the shelf.
		var sold int64
		if err := db.Raw(`SELECT COALESCE(SUM(d.cantidad), 0) FROM detalles_venta d JOIN venta v ON v.id = d.id_venta
			WHERE v.estado_venta <> 'ANULADA'`).Row().Scan(&sold); err != nil {
			t.Fatal(err)
		}
		var left int64
		for _, p := range prods {
			left += f.stock(p)
		}
		if left != 4000-sold {
			t.Errorf("stock left %d, want %d", left, 4000-sold)
		}
	})
}
