package httpapi

import (
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
)

// RateLimit is a per-client-IP sliding-window limit (in memory, per
// process). The client IP is the one chi's ClientIP middleware resolved:
// the socket address unless a trusted proxy vouches for another.
type RateLimit struct {
	rl  *httprate.RateLimiter
	per time.Duration
}

// NewRateLimit allows n requests per window and client IP.
func NewRateLimit(n int, per time.Duration) *RateLimit {
	return &RateLimit{rl: httprate.NewRateLimiter(n, per), per: per}
}

// ClientIP is the caller's address as resolved for this request.
func ClientIP(r *http.Request) string {
	if ip := middleware.GetClientIP(r.Context()); ip != "" {
		return ip
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().String()
	}
	return r.RemoteAddr
}

// Allow counts the request and reports whether it may go on; when not, it
// has set Retry-After and returns how many seconds to wait.
func (l *RateLimit) Allow(w http.ResponseWriter, r *http.Request) (ok bool, retryAfter int) {
	return l.AllowKey(w, r, httprate.CanonicalizeIP(ClientIP(r)))
}

// AllowKey is Allow counted under key instead of the client IP (a limit
// per account: "usuario:7").
func (l *RateLimit) AllowKey(w http.ResponseWriter, r *http.Request, key string) (ok bool, retryAfter int) {
	if l.rl.OnLimit(w, r, key) {
		secs, _ := strconv.Atoi(w.Header().Get("Retry-After"))
		if secs <= 0 {
			secs = RetryAfter(w.Header(), l.per)
		}
		return false, secs
	}
	return true, 0
}

// Middleware refuses requests over the limit with 429 in rd's shape.
func (l *RateLimit) Middleware(rd Renderer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ok, _ := l.Allow(w, r); !ok {
				rd.RenderError(w, r, &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// IsHTTPS reports whether the client reached us over TLS, directly or
// through a trusted proxy that says so.
func IsHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	if len(trusted) == 0 || r.Header.Get("X-Forwarded-Proto") != "https" {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range trusted {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
}
