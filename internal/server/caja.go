package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/caja"
	"github.com/kantuta/kantuta/internal/inventario"
)

// mountCaja serves /cajas and /ventas (SPEC §13). Sales change stock
// through inventario's Ledger only.
func (a *App) mountCaja(r chi.Router) {
	// TODO(merge): use the Ledger the inventario wiring builds, with its
	// low-stock Alerts; this one flags low stock but queues no mail.
	ledger := inventario.NewLedger(a.DB, nil)
	h := caja.NewHandler(a.DB, caja.Options{
		Validator: a.Validator,
		Publisher: a.Events,
		Stock:     ledger,
		Location:  a.Config.Location,
	})
	h.Routes(r)
}
