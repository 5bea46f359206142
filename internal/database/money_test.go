package database_test

import (
	"context"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/testkit"
)

// Money columns are INTEGER centavos on SQLite and NUMERIC(12,2) on
// PostgreSQL; binding with DB.Money and scanning into money.Cents must
// round-trip exactly on both, sums included.
func TestMoneyRoundTrip(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		col := "INTEGER"
		if db.IsPostgres() {
			col = "NUMERIC(12,2)"
		}
		if err := db.Exec("CREATE TABLE money_probe (id INTEGER PRIMARY KEY, m " + col + ", n " + col + ")").Error; err != nil {
			t.Fatal(err)
		}
		vals := []money.Cents{1, 10, 8550, money.Max, 0}
		for i, v := range vals {
			if err := db.Exec("INSERT INTO money_probe (id, m) VALUES (?, ?)", i+1, db.Money(v)).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i, v := range vals {
			var got money.Cents
			var null money.NullCents
			row := db.SQL.QueryRowContext(context.Background(), "SELECT m, n FROM money_probe WHERE id = $1", i+1)
			if err := row.Scan(&got, &null); err != nil {
				t.Fatal(err)
			}
			if got != v || null.Valid {
				t.Errorf("row %d: got %v (null %v), want %v", i+1, got, null, v)
			}
		}
		var sum money.Cents
		if err := db.SQL.QueryRowContext(context.Background(), "SELECT COALESCE(SUM(m),0) FROM money_probe WHERE id < 4").Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if sum != 1+10+8550 {
			t.Errorf("sum = %v", sum)
		}
		if err := db.SQL.QueryRowContext(context.Background(), "SELECT COALESCE(SUM(m),0) FROM money_probe WHERE id > 100").Scan(&sum); err != nil || sum != 0 {
			t.Errorf("empty sum = %v, %v", sum, err)
		}
		// GORM's Raw().Scan into a struct goes through the same Scanner.
		var rowStruct struct{ M money.Cents }
		if err := db.Raw("SELECT m FROM money_probe WHERE id = ?", 3).Scan(&rowStruct).Error; err != nil || rowStruct.M != 8550 {
			t.Errorf("gorm scan = %v, %v", rowStruct.M, err)
		}
	})
}
