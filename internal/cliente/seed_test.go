package cliente_test

import (
	"context"
	"testing"

	"github.com/kantuta/kantuta/internal/cliente"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestSeedDemo(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		tok := app.Token(role.User)
		create(t, app, tok, body("Cliente Previo"))
		const n = cliente.SeedBatch + 500 // two batches, the second partial
		var calls []int
		if err := cliente.NewStore(db).SeedDemo(context.Background(), n, func(done int) { calls = append(calls, done) }); err != nil {
			t.Fatal(err)
		}
		if len(calls) != 2 || calls[1] != n {
			t.Fatalf("progress calls %v", calls)
		}
		list := app.Get(base, tok).Map(t)
		if list["total"] != float64(n+1) {
			t.Fatalf("total %v, want %d", list["total"], n+1)
		}
		// Every seeded row passes the API's own rules, strict check included.
		for _, row := range list["data"].([]any) {
			c := row.(map[string]any)
			if !cliente.ValidIdentification(c["cli_ruc_ced"].(string)) || !cliente.ValidCodigo(c["cli_codigo"].(string)) {
				t.Fatalf("seeded row %v", c)
			}
		}
		// The search structures (normalised column, FTS table) follow the seed.
		var v struct {
			Data []map[string]any `json:"data"`
		}
		app.Get(base+"/search?name=PEREZ", tok).JSON(t, &v)
		if len(v.Data) != cliente.SearchLimit {
			t.Fatalf("search over seeded rows: %d results", len(v.Data))
		}
		after := create(t, app, tok, body("Cliente Posterior"))
		if after["cli_codigo"] == "CLI001" {
			t.Fatalf("code collision after seed: %v", after)
		}
	})
}
