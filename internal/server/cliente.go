package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/cliente"
)

// mountClientes serves /api/pos/clientes and /api/pos/ciudades (SPEC §8).
func (a *App) mountClientes(r chi.Router) {
	cliente.NewHandler(cliente.Config{
		Store:                cliente.NewStore(a.DB),
		StrictIdentification: a.Config.StrictIdentification,
	}).Routes(r)
}
