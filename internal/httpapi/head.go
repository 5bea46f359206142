package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// HeadAsGet routes every HEAD request as the GET of the same path, so HEAD
// works wherever GET does (curl -I, uptime probes, link checkers); net/http
// then sends GET's status and headers without the body. chi's own
// middleware.GetHead looks ahead with Mux.Match, which reports a match for
// HEAD at the root of a mounted subrouter (/usuario, /persona) and so leaves
// those at 405; no route here registers HEAD by itself, so the look-ahead
// is not needed. Mount it on the root router with Use.
func HeadAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RouteMethod == "" {
				rctx.RouteMethod = http.MethodGet
			}
		}
		next.ServeHTTP(w, r)
	})
}
