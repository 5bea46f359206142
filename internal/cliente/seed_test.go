package cliente_test

import (
	"context"
	"net/http"
	"reflect"
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

// A large PostgreSQL seed loads without the cliente table's secondary
// indexes and foreign key and makes them again in its one transaction:
// afterwards the schema is exactly as before, and a seed that fails
// half-way leaves neither rows nor a changed schema.
func TestSeedDemoBulkKeepsSchema(t *testing.T) {
	db := testkit.NewPostgres(t)
	if db == nil {
		t.Skip("PostgreSQL not reachable")
	}
	defer cliente.SetSeedBulkThreshold(1000)()
	app := testkit.NewApp(t, db)
	tok := app.Token(role.User)
	want := testkit.PostgresSchema(t, db, "cliente")
	if len(want) < 10 {
		t.Fatalf("schema read: %q", want)
	}
	store := cliente.NewStore(db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled after the first batch is written: nothing stays.
	if err := store.SeedDemo(ctx, cliente.SeedBatch+500, func(int) { cancel() }); err == nil {
		t.Fatal("cancelled seed answered no error")
	}
	count := func() (n int64) {
		if err := db.Raw("SELECT COUNT(*) FROM cliente").Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n, got := count(), testkit.PostgresSchema(t, db, "cliente"); n != 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("after a failed seed: %d rows; schema\n got %q\nwant %q", n, got, want)
	}
	if err := store.SeedDemo(context.Background(), 1500, nil); err != nil {
		t.Fatal(err)
	}
	if got := testkit.PostgresSchema(t, db, "cliente"); !reflect.DeepEqual(got, want) {
		t.Errorf("after a bulk seed: schema\n got %q\nwant %q", got, want)
	}
	if n := count(); n != 1500 {
		t.Errorf("%d clientes after the seed, want 1500", n)
	}
	// The rebuilt unique index still refuses a second active holder of a
	// seeded cédula, as the API words it.
	var ced string
	if err := db.Raw("SELECT cli_ruc_ced FROM cliente ORDER BY cli_codigo LIMIT 1").Row().Scan(&ced); err != nil {
		t.Fatal(err)
	}
	b := body("Cliente Repetido")
	b["cli_ruc_ced"] = ced
	if res := app.Post(base, tok, b); res.Status != http.StatusConflict {
		t.Errorf("a second active holder of cédula %s: %d %s", ced, res.Status, res.Body)
	}
	// The foreign key holds again.
	if err := db.Exec("UPDATE cliente SET ct_codigo = 'XXXX' WHERE cli_ruc_ced = ?", ced).Error; err == nil {
		t.Error("a customer in an unknown city was accepted")
	}
}
