package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/usuario"
)

// mountIdentity wires the Kantuta identity family: /auth, /usuario, /persona.
func (a *App) mountIdentity(r chi.Router) {
	cfg := a.Config
	public := httpapi.NewRateLimit(cfg.RateLimitPublic.Requests, cfg.RateLimitPublic.Per)
	a.authHandler = &auth.Handler{
		Issuer: a.Issuer, Sessions: a.Sessions, Authenticator: a.Authenticator, Lockout: a.Lockout,
		Hasher: a.Hasher, Usuarios: a.Usuarios, Operators: a.Operadores, Roles: a.Roles,
		LoginLimit:     httpapi.NewRateLimit(cfg.RateLimitLogin.Requests, cfg.RateLimitLogin.Per),
		TrustedProxies: cfg.TrustedProxies, Validator: a.Validator,
	}
	a.usuarioHandler = &usuario.Handler{
		Store: a.Usuarios, Roles: a.Roles, Hasher: a.Hasher, Sessions: a.Sessions, Authenticator: a.Authenticator,
		Validator: a.Validator, RegistrationOpen: cfg.RegistrationOpen, RegisterLimit: public, Mailer: a.Mail,
	}
	personaHandler := &persona.Handler{
		Store: a.Personas, Owners: a.Usuarios, PublicLookup: cfg.PersonaPublicLookup, CreateLimit: public,
	}
	r.Route("/auth", a.authHandler.Routes)
	r.Route("/usuario", a.usuarioHandler.Routes)
	r.Route("/persona", personaHandler.Routes)
}
