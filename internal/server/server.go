// Package server wires the domains into one http.Handler: it is the only
// package that knows every route family.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/caja"
	"github.com/kantuta/kantuta/internal/config"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/mail"
	"github.com/kantuta/kantuta/internal/operador"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/usuario"
)

// App is the assembled server: its handler, its stores and the background
// work that `kantuta serve` runs beside the listener.
type App struct {
	Config        config.Config
	DB            *database.DB
	Logger        *slog.Logger
	Metrics       *httpapi.Metrics
	Issuer        *auth.Issuer
	Hasher        *login.Hasher
	Authenticator *auth.Authenticator
	Sessions      *login.Sessions
	Lockout       *login.Lockout
	Validator     *httpapi.Validator
	Roles         *role.Store
	Usuarios      *usuario.Store
	Personas      *persona.Store
	Operadores    *operador.Store
	Mail          *mail.System       // queues system mails (welcome, reset code, password changed)
	Ledger        *inventario.Ledger // the one place stock changes (compras, ventas)
	CashDrawer    *caja.Drawer       // the cash drawer compras and recargas pay from
	Handler       http.Handler
	Stdout        io.Writer // where the console mail backend prints
	// Router is the chi router behind Handler, for tools that walk the
	// registered routes (the OpenAPI route test).
	Router chi.Routes

	// Events is what the POS domains publish their dataChanged events
	// through, inside their transactions (realtime.Publisher); Bus delivers
	// them in this process after the commit (tests subscribe to it);
	// Realtime is the Socket.IO endpoint at /socket.io/.
	Events   realtime.Publisher
	Bus      *realtime.Bus
	Realtime *realtime.Server

	workers []func(ctx context.Context)
}

// Family renderers, chosen by path prefix for the answers no handler gives
// (404, 405, 413, 415, panics).
var (
	nest     httpapi.Renderer = httpapi.NestRenderer{}
	clientes httpapi.Renderer = httpapi.ClientesRenderer{}
	plain    httpapi.Renderer = httpapi.PlainRenderer{}
)

// RendererFor picks the error shape of the family a path belongs to.
func RendererFor(r *http.Request) httpapi.Renderer {
	p := r.URL.Path
	switch {
	case p == "/users" || strings.HasPrefix(p, "/users/") || p == "/roles" || strings.HasPrefix(p, "/roles/"):
		return plain
	case strings.HasPrefix(p, "/api/pos/"):
		return clientes
	}
	return nest
}

// New assembles the application on an open, migrated database; the
// console mail backend prints to stdout.
func New(cfg config.Config, db *database.DB, logger *slog.Logger, stdout io.Writer) (*App, error) {
	if len(cfg.JWTSecret) == 0 || len(cfg.JWTRefreshSecret) == 0 {
		return nil, errors.New("server: JWT secrets are not set")
	}
	a := &App{
		Config:     cfg,
		DB:         db,
		Logger:     logger,
		Metrics:    httpapi.NewMetrics(),
		Issuer:     auth.NewIssuer(cfg.JWTSecret, cfg.JWTRefreshSecret, cfg.JWTExpiresIn, cfg.JWTRefreshExpiresIn),
		Hasher:     login.NewHasher(cfg.BcryptCost),
		Roles:      role.NewStore(db),
		Usuarios:   usuario.NewStore(db),
		Personas:   persona.NewStore(db),
		Lockout:    login.NewLockout(db, cfg.LoginMaxFailures, cfg.LoginLockout),
		Validator:  httpapi.NewValidator(),
		Operadores: operador.NewStore(db),
		Mail:       mail.NewSystem(mail.NewStore(db)),
		CashDrawer: caja.NewDrawer(db),
		Stdout:     stdout,
	}
	persona.RegisterRules(a.Validator)
	a.Metrics.Registry.MustRegister(collectors.NewDBStatsCollector(db.SQL, "kantuta"))
	a.logWarnings()
	states := auth.AccountStatesFunc(a.accountState)
	cache := auth.NewCache(2 * time.Second)
	a.Sessions = login.NewSessions(db, a.Issuer, states, cache)
	a.Authenticator = auth.NewAuthenticator(a.Issuer, states, a.Sessions, cache)
	a.Handler = a.routes()
	a.Router, _ = a.Handler.(chi.Routes)
	return a, nil
}

func (a *App) accountState(ctx context.Context, kind auth.Kind, id string) (auth.AccountState, error) {
	switch kind {
	case auth.KindUsuario:
		return a.Usuarios.AccountState(ctx, id)
	case auth.KindOperador:
		return a.Operadores.AccountState(ctx, id)
	}
	return auth.AccountState{}, auth.ErrAccountNotFound
}

func (a *App) routes() http.Handler {
	r := chi.NewRouter()
	a.mountRealtime(r) // first: /socket.io/ bypasses the middleware below
	r.Use(httpapi.RequestLog(a.Logger))
	r.Use(httpapi.Recover(RendererFor))
	// HEAD wherever GET works (curl -I, uptime probes): routed as GET, and
	// net/http sends the headers without the body.
	r.Use(httpapi.HeadAsGet)
	r.Use(httpapi.SecurityHeaders)
	r.Use(httpapi.Deadline(a.Config.RequestTimeout))
	r.Use(a.Metrics.Middleware)
	// Inside the metrics and the log, which count what the handler wrote.
	r.Use(httpapi.Compress("/metrics"))
	if len(a.Config.TrustedProxies) > 0 {
		prefixes := make([]string, 0, len(a.Config.TrustedProxies))
		for _, p := range a.Config.TrustedProxies {
			prefixes = append(prefixes, p.String())
		}
		r.Use(middleware.ClientIPFromXFF(prefixes...))
	} else {
		r.Use(middleware.ClientIPFromRemoteAddr)
	}
	if len(a.Config.CORSOrigins) > 0 {
		wildcard := false
		for _, o := range a.Config.CORSOrigins {
			wildcard = wildcard || o == "*"
		}
		r.Use(cors.Handler(cors.Options{
			AllowedOrigins:   a.Config.CORSOrigins,
			AllowedMethods:   []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
			AllowedHeaders:   []string{"Authorization", "Content-Type", "X-Request-Id"},
			ExposedHeaders:   []string{"X-Request-Id", "Retry-After"},
			AllowCredentials: !wildcard, // credentials only for listed origins
			MaxAge:           600,
		}))
	}
	r.Use(httpapi.LimitBody(RendererFor))
	r.Use(a.Authenticator.Middleware)
	a.useSecurity(r)

	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		rd := RendererFor(r)
		msg := "Cannot " + r.Method + " " + r.URL.Path
		if _, isPlain := rd.(httpapi.PlainRenderer); isPlain {
			msg = "Not found"
		} else if _, isClientes := rd.(httpapi.ClientesRenderer); isClientes {
			msg = "Ruta no encontrada"
		}
		rd.RenderError(w, r, &httpapi.Error{Status: http.StatusNotFound, Code: httpapi.CodeNotFound, Message: msg})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		RendererFor(r).RenderError(w, r, &httpapi.Error{Status: http.StatusMethodNotAllowed, Code: httpapi.CodeMethod})
	})

	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", httpapi.Handle(nest, a.readyz))
	if a.Config.MetricsAddr == "" {
		r.Method(http.MethodGet, "/metrics", a.MetricsHandler())
	}
	a.mountAPIDocs(r)

	a.mountIdentity(r)
	a.mountOperadores(r)
	a.mountClientes(r)
	a.mountMail(r)
	a.mountInventario(r)
	a.mountCaja(r)
	a.mountRecargas(r)
	a.mountReportes(r)

	return r
}

func (a *App) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		return httpapi.Unavailable(fmt.Errorf("readyz: %w", err))
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": a.DB.Dialect})
	return nil
}

// Start runs the background workers until ctx ends; the returned function
// waits for them to finish.
func (a *App) Start(ctx context.Context) (wait func()) {
	done := make(chan struct{}, len(a.workers))
	for _, w := range a.workers {
		go func() {
			defer func() { done <- struct{}{} }()
			w(ctx)
		}()
	}
	return func() {
		for range a.workers {
			<-done
		}
	}
}
