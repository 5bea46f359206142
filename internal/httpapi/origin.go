package httpapi

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// CrossSiteGuard refuses, with 403 in the family's shape, a state-changing
// request that a browser sent from another site on the strength of a
// cookie: cookieAuthenticated(r) says whether the request's credential
// came from a cookie (not from an Authorization header), and its Origin
// (or, without one, its Referer) is neither this server's own origin nor
// one the patterns (CORS_ORIGINS, "*" excepted) allow. SameSite=Lax is the only other
// defence, and it does not cover a sibling subdomain or an old browser.
// Requests without Origin and Referer (curl, Postman, the Ambrosia
// terminal) are not browsers' cross-site requests and pass.
func CrossSiteGuard(patterns []string, renderer RendererFor, cookieAuthenticated func(*http.Request) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
				next.ServeHTTP(w, r)
				return
			}
			if !cookieAuthenticated(r) {
				next.ServeHTTP(w, r)
				return
			}
			origin, given := RequestOrigin(r)
			if !given || SameOrigin(r, origin) || CredentialedOriginAllowed(origin, patterns) {
				next.ServeHTTP(w, r)
				return
			}
			LoggerFrom(r.Context()).Warn("cross-site cookie request refused", "origin", truncate(origin, 200))
			renderer(r).RenderError(w, r, &Error{Status: http.StatusForbidden, Code: CodeForbidden,
				Message: "Origen no permitido para una solicitud autenticada por cookie"})
		})
	}
}

// RequestOrigin is the request's Origin header or, without one, the origin
// (scheme://host) of its Referer; given is false when it has neither. An
// unparsable Referer yields "null", which nothing allows.
func RequestOrigin(r *http.Request) (origin string, given bool) {
	if o := r.Header.Get("Origin"); o != "" {
		return o, true
	}
	ref := r.Header.Get("Referer")
	if ref == "" {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "null", true
	}
	return u.Scheme + "://" + u.Host, true
}

// SameOrigin reports whether origin names the host the request was sent to
// (its Host header, default ports ignored). The scheme is not compared:
// behind a TLS proxy the server may see http for an https origin, and a
// page on the same host is the same site for cookies anyway.
func SameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || r.Host == "" {
		return false
	}
	return canonicalHost(u.Host, u.Scheme) == canonicalHost(r.Host, u.Scheme)
}

func canonicalHost(hostport, scheme string) string {
	h := strings.ToLower(hostport)
	if host, port, err := net.SplitHostPort(h); err == nil {
		if (port == "80" && scheme == "http") || (port == "443" && scheme == "https") {
			return host
		}
	}
	return h
}

// CredentialedOriginAllowed reports whether origin may send a request
// carrying cookies: whether it matches one of patterns the way the CORS
// middleware (go-chi/cors) matches them, case-insensitively, one "*" in a
// pattern standing for any run of characters ("https://*.shop.example").
// A bare "*" allows none: CORS never lets "*" send credentials either.
// "null" is never allowed.
func CredentialedOriginAllowed(origin string, patterns []string) bool {
	o := strings.ToLower(origin)
	if o == "null" || o == "" {
		return false
	}
	for _, p := range patterns {
		p = strings.ToLower(p)
		if p == "*" {
			continue
		}
		if p == o {
			return true
		}
		if prefix, suffix, ok := strings.Cut(p, "*"); ok &&
			len(o) >= len(prefix)+len(suffix) && strings.HasPrefix(o, prefix) && strings.HasSuffix(o, suffix) {
			return true
		}
	}
	return false
}

// SecureCookies marks every cookie the inner handlers set Secure
// (COOKIE_SECURE): behind a TLS proxy that is not in TRUSTED_PROXIES the
// request looks like plain HTTP, and the handlers alone would leave the
// session cookies sendable over HTTP.
func SecureCookies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&secureCookieWriter{ResponseWriter: w}, r)
	})
}

type secureCookieWriter struct {
	http.ResponseWriter
	done bool
}

func (s *secureCookieWriter) fix() {
	if s.done {
		return
	}
	s.done = true
	cookies := s.Header()["Set-Cookie"]
	for i, c := range cookies {
		if !hasSecureAttr(c) {
			cookies[i] = c + "; Secure"
		}
	}
}

func hasSecureAttr(setCookie string) bool {
	parts := strings.Split(setCookie, ";")
	for _, a := range parts[1:] {
		if strings.EqualFold(strings.TrimSpace(a), "Secure") {
			return true
		}
	}
	return false
}

func (s *secureCookieWriter) WriteHeader(code int) {
	s.fix()
	s.ResponseWriter.WriteHeader(code)
}

func (s *secureCookieWriter) Write(b []byte) (int, error) {
	s.fix()
	return s.ResponseWriter.Write(b)
}

func (s *secureCookieWriter) Flush() {
	s.fix()
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *secureCookieWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(s.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (s *secureCookieWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
