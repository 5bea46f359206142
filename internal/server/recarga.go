package server

import (
	"errors"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/caja"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/recarga"
)

// mountRecargas serves /recargas/* (SPEC §14.5) and the scope answers of
// §14.7 (/whatsapp/connect).
func (a *App) mountRecargas(r chi.Router) {
	store := recarga.NewStore(a.DB, recargaDrawer{a.CashDrawer}, a.Events)
	recarga.NewHandler(store, a.Config.Location).Routes(r)
	mountWhatsApp(r)
}

// recargaDrawer is caja's drawer as recarga sees it: a short drawer is
// *recarga.InsufficientCash, which recargas word their own way (§14.5).
type recargaDrawer struct{ *caja.Drawer }

func (d recargaDrawer) Withdraw(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	id, err := d.TryWithdraw(tx, sesionID, monto, motivo, origen, user)
	var short *caja.InsufficientFunds
	if errors.As(err, &short) {
		return 0, &recarga.InsufficientCash{Saldo: short.Saldo}
	}
	return id, err
}
