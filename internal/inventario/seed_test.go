package inventario_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestSeedDemo(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newEnv(t, db)
		e.producto(map[string]any{"nombre": "Agua Andina 1", "id_categoria": e.categoria("Bebidas")}) // a real one first
		var last int
		if err := inventario.SeedDemo(context.Background(), db, 1203, func(done int) { last = done }); err != nil {
			t.Fatal(err)
		}
		if last != 1203 || e.scalar("SELECT COUNT(*) FROM producto") != 1204 {
			t.Fatalf("progress %d, %d productos", last, e.scalar("SELECT COUNT(*) FROM producto"))
		}
		// Run again: categories are reused, names and codes stay unique.
		if err := inventario.SeedDemo(context.Background(), db, 10, nil); err != nil {
			t.Fatal(err)
		}
		if n := e.scalar("SELECT COUNT(*) FROM categoria"); n != 12 {
			t.Fatalf("%d categorias", n)
		}
		if e.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'stock_bajo'") != 0 {
			t.Fatal("seeding queued alert mails")
		}
		e.invariant()
		var list []map[string]any
		res := e.app.Get("/inventario/producto", e.user)
		if res.Status != http.StatusOK {
			t.Fatal(res)
		}
		res.JSON(t, &list)
		if len(list) != 1214 {
			t.Fatalf("%d listed", len(list))
		}
	})
}
