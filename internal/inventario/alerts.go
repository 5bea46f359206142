package inventario

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// LowStock is what an alert mail says about a product that became low.
type LowStock struct {
	ProductoID  int64
	Producto    string
	Stock       int64
	Minimo      int64
	Categoria   string // "Sin categoría" when it has none
	categoriaID int64
}

// Recipient is one address a low-stock alert goes to.
type Recipient struct{ Email, Name string }

// Recipients finds who receives low-stock alerts, inside the transaction:
// active contacts with recibe_stock_bajo and an email, or else every active
// admin usuario (the notificacion package answers it).
type Recipients interface {
	StockRecipients(tx *gorm.DB) ([]Recipient, error)
}

// Mailer queues a low-stock alert in the outbox inside tx (mail.System).
type Mailer interface {
	StockBajo(ctx context.Context, tx *gorm.DB, to, name, producto string, stock, minimo int64, categoria string) (int64, error)
	Wake()
}

// Alerts queues the mails of products that became low. Nothing is sent
// in the request: the outbox workers deliver after the commit.
type Alerts struct {
	Recipients Recipients
	Mailer     Mailer
}

func (a *Alerts) queue(tx *gorm.DB, low []LowStock) error {
	if a.Recipients == nil || a.Mailer == nil {
		return nil
	}
	to, err := a.Recipients.StockRecipients(tx)
	if err != nil {
		return fmt.Errorf("low-stock recipients: %w", err)
	}
	if len(to) == 0 {
		return nil
	}
	ctx := ctxOf(tx)
	for i := range low {
		var cat struct{ Nombre string }
		res := tx.Raw("SELECT nombre FROM categoria WHERE id = ?", low[i].categoriaID).Scan(&cat)
		if res.Error != nil {
			return fmt.Errorf("alert categoria: %w", res.Error)
		}
		low[i].Categoria = cat.Nombre
		if res.RowsAffected == 0 || strings.TrimSpace(cat.Nombre) == "" {
			low[i].Categoria = "Sin categoría"
		}
		seen := map[string]bool{}
		for _, r := range to {
			key := strings.ToLower(strings.TrimSpace(r.Email))
			if key == "" || seen[key] {
				continue // one mail per recipient
			}
			seen[key] = true
			if _, err := a.Mailer.StockBajo(ctx, tx, r.Email, r.Name, low[i].Producto, low[i].Stock, low[i].Minimo, low[i].Categoria); err != nil {
				return fmt.Errorf("queue low-stock alert: %w", err)
			}
		}
	}
	database.AfterCommit(tx, a.Mailer.Wake)
	return nil
}
