package server

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
)

// useSecurity adds the browser-facing defences of issue 14 to the router,
// after authentication (the cross-site check asks how the caller was
// authenticated): cookies forced Secure (COOKIE_SECURE) and the refusal of
// cookie-authenticated writes from foreign origins.
func (a *App) useSecurity(r chi.Router) {
	if a.Config.CookieSecure {
		r.Use(httpapi.SecureCookies)
	}
	r.Use(httpapi.CrossSiteGuard(a.Config.CORSOrigins, RendererFor, cookieAuthenticated))
}

// cookieAuthenticated reports whether the request's credential is a cookie
// a browser attaches by itself: the accessToken cookie that authenticated
// it (auth.AccessToken's precedence: the cookie only without an
// Authorization header), or the refreshToken cookie that /auth/refresh and
// /auth/refresh_token take.
func cookieAuthenticated(r *http.Request) bool {
	_, source := auth.AccessToken(r)
	if source == auth.HeaderToken {
		return false
	}
	if _, ok := auth.PrincipalFrom(r.Context()); ok && source == auth.CookieToken {
		return true
	}
	if strings.HasPrefix(r.URL.Path, "/auth/refresh") {
		_, err := r.Cookie(auth.RefreshCookie)
		return err == nil
	}
	return false
}

// MetricsHandler is /metrics, behind METRICS_TOKEN when one is set; it is
// mounted on the API's router unless METRICS_ADDR gives it a listener of
// its own (cmd/kantuta serves it there).
func (a *App) MetricsHandler() http.Handler {
	h := a.Metrics.Handler()
	token := a.Config.MetricsToken
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(auth.BearerToken(r)), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			nest.RenderError(w, r, &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// logWarnings says at start which accepted settings are unsafe.
func (a *App) logWarnings() {
	for _, w := range a.Config.Warnings {
		a.Logger.Warn("unsafe configuration: "+w, "env", a.Config.Env)
	}
}
