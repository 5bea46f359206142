package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/users"
)

// mountUsers serves the Ambrosia operators (/users, /roles; SPEC §6) in
// the Plain family. The PIN login itself is part of /auth.
func (a *App) mountUsers(r chi.Router) {
	h := &users.Handler{Store: a.Operadores, Roles: a.Roles, Hasher: a.Hasher, Forget: a.Authenticator.Forget}
	h.Routes(r)
}
