package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/inventario"
)

// mountInventario serves /inventario/*, /compras and
// /notificaciones/contactos (SPEC §12). Ledger is the stock ledger ventas
// use too; Cash pays compras from a caja session (inventario's own
// SessionDrawer until the caja package's *caja.Drawer replaces it).
func (a *App) mountInventario(r chi.Router) {
	alerts := &inventario.Alerts{Recipients: inventario.ContactRecipients{}, Mailer: a.Mail}
	a.Ledger = inventario.NewLedger(a.DB, alerts)
	var cash inventario.CashDrawer = inventario.SessionDrawer{DB: a.DB}
	inventario.NewHandler(a.DB, a.Ledger, cash, a.Events, a.Validator).Routes(r)
	inventario.NewContactosHandler(a.DB, a.Validator).Routes(r)
}
