package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/operador"
)

// mountOperadores serves the Ambrosia operators (/users, /roles; SPEC §6)
// in the Plain family. The PIN login itself is part of /auth.
func (a *App) mountOperadores(r chi.Router) {
	operador.NewHandler(operador.Config{
		Store: a.Operadores, Roles: a.Roles, Hasher: a.Hasher, Sessions: a.Sessions,
	}).Routes(r)
}
