package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/inventario"
)

// mountInventario serves /inventario/*, /compras and
// /notificaciones/contactos (SPEC §12). Ledger is the stock ledger ventas
// use too; compras paid from a caja session go through caja's Drawer.
func (a *App) mountInventario(r chi.Router) {
	alerts := &inventario.Alerts{Recipients: inventario.ContactRecipients{}, Mailer: a.Mail}
	a.Ledger = inventario.NewLedger(a.DB, alerts)
	inventario.NewHandler(a.DB, a.Ledger, a.CashDrawer, a.Events, a.Validator).Routes(r)
	inventario.NewContactosHandler(a.DB, a.Validator).Routes(r)
}
