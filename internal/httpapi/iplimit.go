package httpapi

import (
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
)

// ClientIP is the client address chi's ClientIP middleware resolved (the
// socket address, or X-Forwarded-For from a trusted proxy).
func ClientIP(r *http.Request) string {
	if ip := middleware.GetClientIP(r.Context()); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// LimitPerIP allows n requests per window from each client IP (counted in
// this process), answering 429 with Retry-After in the family's shape.
func LimitPerIP(n int, per time.Duration, rd Renderer) func(http.Handler) http.Handler {
	return httprate.Limit(n, per,
		httprate.WithKeyFuncs(func(r *http.Request) (string, error) { return ClientIP(r), nil }),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			if w.Header().Get("Retry-After") == "" {
				RetryAfter(w.Header(), per)
			}
			rd.RenderError(w, r, &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited})
		}),
	)
}
