package database_test

import (
	"context"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestMigrationsUpDownUp(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		st, err := db.MigrationStatus(ctx)
		if err != nil || len(st) == 0 {
			t.Fatalf("status: %v %v", st, err)
		}
		for _, s := range st {
			if !s.Applied {
				t.Fatalf("%s not applied after Migrate", s.Path)
			}
		}
		var roles int64
		if err := db.Table("role").Count(&roles).Error; err != nil || roles != 3 {
			t.Fatalf("want 3 seeded roles, got %d (%v)", roles, err)
		}
		// Roll every migration back, then forward again: Down must be real.
		for range st {
			if _, err := db.MigrateDown(ctx); err != nil {
				t.Fatalf("down: %v", err)
			}
		}
		if db.Migrator().HasTable("role") {
			t.Fatal("role table survived a full rollback")
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		if err := db.Table("role").Count(&roles).Error; err != nil || roles != 3 {
			t.Fatalf("after re-migration: %d roles (%v)", roles, err)
		}
	})
}
