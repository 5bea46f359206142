package database_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestTxAfterCommit(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		var ran []string
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			database.AfterCommit(tx, func() { ran = append(ran, "committed") })
			return tx.Exec("CREATE TABLE tx_probe (id INTEGER PRIMARY KEY)").Error
		})
		if err != nil || fmt.Sprint(ran) != "[committed]" {
			t.Fatalf("commit: err %v, hooks %v", err, ran)
		}
		ran = nil
		boom := errors.New("boom")
		err = db.Tx(ctx, func(tx *gorm.DB) error {
			database.AfterCommit(tx, func() { ran = append(ran, "rolled back") })
			if err := tx.Exec("INSERT INTO tx_probe (id) VALUES (1)").Error; err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || len(ran) != 0 {
			t.Fatalf("rollback: err %v, hooks %v", err, ran)
		}
		var n int64
		db.Raw("SELECT COUNT(*) FROM tx_probe").Scan(&n)
		if n != 0 {
			t.Fatalf("rolled back insert is there: %d rows", n)
		}
		tries := 0
		err = db.Tx(ctx, func(tx *gorm.DB) error {
			tries++
			return errors.New("ERROR: deadlock detected (SQLSTATE 40P01)")
		})
		if !errors.Is(err, database.ErrContention) || tries != 3 {
			t.Fatalf("retry: err %v after %d tries", err, tries)
		}
	})
}
