package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/realtime"
)

// mountRealtime builds the event bus, the Publisher the POS domains write
// through (a.Events: NOTIFY fan-out on PostgreSQL, the in-process bus on
// SQLite) and the Socket.IO endpoint (SPEC §14.6). routes() calls it first:
// /socket.io/ is served ahead of the API's middleware chain, which must not
// touch it (no JSON Content-Type rule, no request deadline, no body limit,
// no CORS middleware, no response wrappers, no per-request access log).
func (a *App) mountRealtime(r chi.Router) {
	logger := a.Logger.With("component", "realtime")
	a.Bus = realtime.NewBus()
	pub, notifier := realtime.NewPublisher(a.DB, a.Bus, logger)
	a.Events = pub
	a.Realtime = realtime.NewServer(a.Bus, realtime.Options{
		CORSOrigins:     a.Config.CORSOrigins,
		Auth:            a.Config.RealtimeAuth,
		Verify:          a.verifyRealtimeToken,
		HandshakesPerIP: a.Config.RateLimitRealtime.Requests,
		Per:             a.Config.RateLimitRealtime.Per,
		Registry:        a.Metrics.Registry,
		Logger:          logger,
	})
	if notifier != nil {
		a.Realtime.Watch(notifier)
	}
	a.workers = append(a.workers, func(ctx context.Context) {
		if notifier != nil {
			notifier.Listen(ctx)
		} else {
			<-ctx.Done()
		}
		a.Realtime.Close()
	})

	var endpoint http.Handler = a.Realtime
	if len(a.Config.TrustedProxies) > 0 {
		prefixes := make([]string, 0, len(a.Config.TrustedProxies))
		for _, p := range a.Config.TrustedProxies {
			prefixes = append(prefixes, p.String())
		}
		endpoint = middleware.ClientIPFromXFF(prefixes...)(endpoint)
	} else {
		endpoint = middleware.ClientIPFromRemoteAddr(endpoint)
	}
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if strings.HasPrefix(req.URL.Path, "/socket.io/") {
				endpoint.ServeHTTP(w, req)
				return
			}
			next.ServeHTTP(w, req)
		})
	})
}

// verifyRealtimeToken admits the access tokens of active usuarios; operator
// tokens (the Ambrosia terminals) are refused, as on every POS route.
func (a *App) verifyRealtimeToken(ctx context.Context, token string) error {
	p, err := a.Authenticator.Verify(ctx, token)
	if err != nil {
		return err
	}
	if p.Kind != auth.KindUsuario {
		return realtime.ErrRefused
	}
	return nil
}

// CloseConnections disconnects every Socket.IO client and ends the pending
// long-polls, so that http.Server.Shutdown does not wait for them (serve
// registers it with RegisterOnShutdown; the clients reconnect to another
// replica).
func (a *App) CloseConnections() {
	if a.Realtime != nil {
		a.Realtime.Close()
	}
}
