package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/cliente"
)

// mountClientes serves /api/pos/clientes and /api/pos/ciudades (SPEC §8).
func (a *App) mountClientes(r chi.Router) {
	h := cliente.NewHandler(cliente.NewStore(a.DB), cliente.Options{
		StrictIdentification: a.Config.ClientesValidarIdentificacion,
	})
	h.Routes(r)
}
