package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
)

// Cookie names shared with the Ambrosia POS terminal.
const (
	AccessCookie  = "accessToken"
	RefreshCookie = "refreshToken"
)

// ErrAccountNotFound is what an AccountStates answers for an unknown id.
var ErrAccountNotFound = errors.New("account not found")

// AccountState is what a token is checked against on every request, so
// that a deactivated, demoted or re-keyed account loses its access at once
// rather than when its token expires.
type AccountState struct {
	RoleID       int
	Active       bool
	TokenVersion int
	Username     string
	RoleName     string
}

// AccountStates looks accounts up by kind and id; the usuario and operator
// stores provide it, combined at wiring time.
type AccountStates interface {
	AccountState(ctx context.Context, kind Kind, id string) (AccountState, error)
}

// AccountStatesFunc adapts a function.
type AccountStatesFunc func(ctx context.Context, kind Kind, id string) (AccountState, error)

func (f AccountStatesFunc) AccountState(ctx context.Context, kind Kind, id string) (AccountState, error) {
	return f(ctx, kind, id)
}

// Authenticator finds the caller of each request from the Authorization
// header or the accessToken cookie. It never refuses a request itself: the
// guards (Require) do, in their own family's shape.
type Authenticator struct {
	issuer   *Issuer
	states   AccountStates
	sessions FamilyChecker
	cache    *Cache
}

// FamilyChecker tells whether a login session (refresh family) was ended,
// so that logout kills the session's access tokens too.
type FamilyChecker interface {
	FamilyRevoked(ctx context.Context, family string) (bool, error)
}

// NewAuthenticator builds the middleware; it keeps what it looks up in
// cache, which whoever changes an account or ends a session clears.
func NewAuthenticator(issuer *Issuer, states AccountStates, sessions FamilyChecker, cache *Cache) *Authenticator {
	return &Authenticator{issuer: issuer, states: states, sessions: sessions, cache: cache}
}

type authFailure struct{ code string }

// BearerToken returns the token of an "Authorization: Bearer …" header
// ("" when there is none or it has another scheme).
func BearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok)
	}
	return ""
}

// TokenSource says where a request's access token is.
type TokenSource int

// Where an access token can be.
const (
	NoToken     TokenSource = iota
	HeaderToken             // Authorization header (its bearer token; "" for another scheme)
	CookieToken             // the accessToken cookie, read only without an Authorization header
)

// AccessToken returns the access token a request offers and where it is:
// the Authorization header when there is one, else the accessToken cookie.
// Every reader of access tokens (this middleware, the cross-site check,
// the Socket.IO handshake) follows this one precedence.
func AccessToken(r *http.Request) (string, TokenSource) {
	if r.Header.Get("Authorization") != "" {
		return BearerToken(r), HeaderToken
	}
	if c, err := r.Cookie(AccessCookie); err == nil {
		return c.Value, CookieToken
	}
	return "", NoToken
}

// Middleware resolves the principal, if any, into the request context.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, source := AccessToken(r)
		if tok == "" {
			code := httpapi.CodeTokenMissing
			if source == HeaderToken {
				code = httpapi.CodeTokenInvalid
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyAuthFailure, authFailure{code})))
			return
		}
		p, err := a.Verify(r.Context(), tok)
		if err != nil {
			if database.IsUnavailable(err) {
				// The database is down: say so rather than "bad token".
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyAuthFailure, authFailure{httpapi.CodeUnavailable})))
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyAuthFailure, authFailure{httpapi.CodeTokenInvalid})))
			return
		}
		httpapi.SetUser(r.Context(), string(p.Kind)+":"+p.ID)
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// Verify checks an access token and the current state of its account.
func (a *Authenticator) Verify(ctx context.Context, token string) (Principal, error) {
	claims, err := a.issuer.ParseAccess(token)
	if err != nil {
		return Principal{}, err
	}
	p := claims.Principal()
	st, err := a.state(ctx, p.Kind, p.ID)
	if errors.Is(err, ErrAccountNotFound) {
		return Principal{}, ErrInvalidToken
	}
	if err != nil {
		return Principal{}, err
	}
	if !st.Active || st.TokenVersion != claims.Version {
		return Principal{}, ErrInvalidToken
	}
	if p.Family != "" && a.sessions != nil {
		revoked, err := a.familyRevoked(ctx, p.Family)
		if err != nil {
			return Principal{}, err
		}
		if revoked {
			return Principal{}, ErrInvalidToken
		}
	}
	p.RoleID = st.RoleID // the role in force now, not when the token was made
	return p, nil
}

func (a *Authenticator) familyRevoked(ctx context.Context, family string) (bool, error) {
	key := "family:" + family
	if st, ok := a.cache.get(key); ok {
		return !st.Active, nil
	}
	revoked, err := a.sessions.FamilyRevoked(ctx, family)
	if err != nil {
		return false, err
	}
	a.cache.put(key, AccountState{Active: !revoked})
	return revoked, nil
}

func (a *Authenticator) state(ctx context.Context, kind Kind, id string) (AccountState, error) {
	key := string(kind) + ":" + id
	if st, ok := a.cache.get(key); ok {
		return st, nil
	}
	st, err := a.states.AccountState(ctx, kind, id)
	if err != nil {
		return AccountState{}, err
	}
	a.cache.put(key, st)
	return st, nil
}

// Failure returns the code of why a request has no principal.
func Failure(ctx context.Context) string {
	if f, ok := ctx.Value(keyAuthFailure).(authFailure); ok {
		return f.code
	}
	return httpapi.CodeTokenMissing
}

// Require lets through only authenticated callers holding one of roles (any
// role when none is given), answering 401/403 through the family renderer.
func Require(rd httpapi.Renderer, roles ...int) func(http.Handler) http.Handler {
	return require(rd, false, roles)
}

// RequireUsuario is Require for the POS routes (contract §13): only usuario
// tokens pass; an operator (PIN) token gets 403 "Forbidden resource", as a
// wrong role does.
func RequireUsuario(rd httpapi.Renderer, roles ...int) func(http.Handler) http.Handler {
	return require(rd, true, roles)
}

func require(rd httpapi.Renderer, usuarioOnly bool, roles []int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return httpapi.Handle(rd, func(w http.ResponseWriter, r *http.Request) error {
			p, ok := PrincipalFrom(r.Context())
			switch code := Failure(r.Context()); {
			case !ok && code == httpapi.CodeUnavailable:
				return httpapi.Unavailable(errors.New("account lookup: database unavailable"))
			case !ok:
				return &httpapi.Error{Status: http.StatusUnauthorized, Code: code}
			case len(roles) > 0 && !p.HasRole(roles...), usuarioOnly && p.Kind != KindUsuario:
				return &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden}
			}
			next.ServeHTTP(w, r)
			return nil
		})
	}
}

// Cache keeps account states and session revocations for a short while
// per process: a change made through this process is seen at once (the
// writer calls Forget or ForgetFamily), one made by another replica within
// the ttl.
type Cache struct {
	ttl time.Duration
	mu  sync.RWMutex
	m   map[string]cachedState
}

// NewCache builds a cache whose entries live ttl (0 disables it).
func NewCache(ttl time.Duration) *Cache {
	return &Cache{ttl: ttl, m: map[string]cachedState{}}
}

// Forget drops the cached state of one account after a change to it.
func (c *Cache) Forget(kind Kind, id string) { c.forget(string(kind) + ":" + id) }

// ForgetFamily drops the cached state of a session after it was revoked.
func (c *Cache) ForgetFamily(family string) { c.forget("family:" + family) }

type cachedState struct {
	st      AccountState
	expires time.Time
}

func (c *Cache) get(key string) (AccountState, bool) {
	if c.ttl <= 0 {
		return AccountState{}, false
	}
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || time.Now().After(e.expires) {
		return AccountState{}, false
	}
	return e.st, true
}

func (c *Cache) put(key string, st AccountState) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	if len(c.m) > 100_000 { // bound memory under a flood of distinct tokens
		c.m = map[string]cachedState{}
	}
	c.m[key] = cachedState{st: st, expires: time.Now().Add(c.ttl)}
	c.mu.Unlock()
}

func (c *Cache) forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}
