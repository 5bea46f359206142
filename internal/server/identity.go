package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/usuario"
)

// mountIdentity wires the Kantuta identity family: /auth, /usuario, /persona.
func (a *App) mountIdentity(r chi.Router) {
	cfg := a.Config
	public := httpapi.NewRateLimit(cfg.RateLimitPublic.Requests, cfg.RateLimitPublic.Per)
	r.Route("/auth", login.NewHandler(login.Config{
		Issuer: a.Issuer, Sessions: a.Sessions, Lockout: a.Lockout, Hasher: a.Hasher,
		Usuarios: a.Usuarios, Operators: a.Operadores, Roles: a.Roles, Validator: a.Validator,
		LoginLimit:     httpapi.NewRateLimit(cfg.RateLimitLogin.Requests, cfg.RateLimitLogin.Per),
		TrustedProxies: cfg.TrustedProxies,
	}).Routes)
	r.Route("/usuario", usuario.NewHandler(usuario.Config{
		Store: a.Usuarios, Roles: a.Roles, Hasher: a.Hasher, Sessions: a.Sessions, Lockout: a.Lockout, Validator: a.Validator,
		Mailer: a.Mail, RegistrationOpen: cfg.RegistrationOpen, RegisterLimit: public,
	}).Routes)
	r.Route("/persona", persona.NewHandler(persona.Config{
		Store: a.Personas, Owners: a.Usuarios, Validator: a.Validator, PublicLookup: cfg.PersonaPublicLookup, CreateLimit: public,
	}).Routes)
}
