package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/caja"
)

// mountCaja serves /cajas and /ventas (SPEC §13). Sales change stock
// through inventario's Ledger only (set by mountInventario, mounted first).
func (a *App) mountCaja(r chi.Router) {
	h := caja.NewHandler(a.DB, caja.Options{
		Validator: a.Validator,
		Publisher: a.Events,
		Stock:     a.Ledger,
		Location:  a.Config.Location,
	})
	h.Routes(r)
}
