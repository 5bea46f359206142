package database_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
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

func TestEachRow(t *testing.T) {
	stop := errors.New("stop")
	cases := []struct {
		name    string
		stopAt  int // fn fails on this id; 0 never
		want    []int
		wantErr error
	}{
		{"every row in order", 0, []int{1, 2, 3}, nil},
		{"fn's error stops the reading", 2, []int{1}, stop},
	}
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		for _, tc := range cases {
			rows, err := db.SQL.QueryContext(context.Background(), "SELECT id FROM role ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			err = database.EachRow(rows, func(r *sql.Rows) (int, error) {
				var id int
				err := r.Scan(&id)
				return id, err
			}, func(id int) error {
				if id == tc.stopAt {
					return stop
				}
				got = append(got, id)
				return nil
			})
			if !errors.Is(err, tc.wantErr) || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s: got %v, %v; want %v, %v", tc.name, got, err, tc.want, tc.wantErr)
			}
		}
	})
}
