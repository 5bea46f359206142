package realtime_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestBusDeliversAfterCommitOnly(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		bus := realtime.NewBus()
		var got []realtime.Event
		cancel := bus.Subscribe(func(e realtime.Event) { got = append(got, e) })
		defer cancel()
		err := db.Tx(context.Background(), func(tx *gorm.DB) error {
			if err := bus.Publish(tx, realtime.Event{Entity: "producto", Action: "creado"}, realtime.Event{Entity: "compra", Action: "creada"}); err != nil {
				return err
			}
			if len(got) != 0 {
				t.Errorf("delivered before commit: %v", got)
			}
			return nil
		})
		if err != nil || fmt.Sprint(got) != "[{producto creado} {compra creada}]" {
			t.Fatalf("after commit: err %v, got %v", err, got)
		}
		got = nil
		_ = db.Tx(context.Background(), func(tx *gorm.DB) error {
			_ = bus.Publish(tx, realtime.Event{Entity: "producto", Action: "eliminado"})
			return errors.New("rollback")
		})
		if len(got) != 0 {
			t.Fatalf("delivered after rollback: %v", got)
		}
	})
}
