package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

var nest httpapi.Renderer = httpapi.NestRenderer{}

// Handler serves the /auth routes shared by the Kantuta frontend (email +
// password, tokens in the body) and the Ambrosia terminal (name + PIN,
// tokens in cookies).
type Handler struct {
	Issuer         *Issuer
	Sessions       *Sessions
	Authenticator  *Authenticator
	Lockout        *Lockout
	Hasher         *Hasher
	Usuarios       UsuarioAccounts
	Operators      OperatorAccounts // nil until operators are wired
	Roles          *role.Store
	LoginLimit     *httpapi.RateLimit
	TrustedProxies []netip.Prefix
	Validator      *httpapi.Validator
}

// Routes mounts the handler under /auth.
func (h *Handler) Routes(r chi.Router) {
	r.Post("/login", h.login)
	r.Post("/refresh_token", h.refreshToken)
	r.Post("/refresh", h.refreshCookie)
	r.With(Require(nest)).Post("/logout", h.logout)
	r.With(Require(nest)).Get("/me", h.me)
	r.With(Require(nest)).Get("/roles/list", h.roles)
}

type loginRequest struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
	Name     *string `json:"name"`
	Pin      *string `json:"pin"`
}

type emailLogin struct {
	Email    string `json:"email" validate:"required,email,max=150"`
	Password string `json:"password" validate:"required"`
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	if req.Email == nil && (req.Name != nil || req.Pin != nil) {
		h.pinLogin(w, r, req)
		return
	}
	if ok, _ := h.LoginLimit.Allow(w, r); !ok {
		httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusTooManyRequests, Code: httpapi.CodeRateLimited,
			Message: "Demasiados intentos de inicio de sesión, intente más tarde"})
		return
	}
	in := emailLogin{Email: deref(req.Email), Password: deref(req.Password)}
	if err := h.Validator.Check(in); err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	ctx := r.Context()
	key := "usuario:" + NormalizeEmail(in.Email)
	creds, status, err := h.authenticate(ctx, key, func() (Credentials, error) {
		return h.Usuarios.UsuarioCredentials(ctx, in.Email)
	}, in.Password)
	switch {
	case err != nil:
		httpapi.Fail(w, r, nest, err)
		return
	case status == statusLocked:
		httpapi.Fail(w, r, nest, h.lockedError(ctx, key, false))
		return
	case status == statusBad:
		httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusUnauthorized, "Credenciales inválidas"))
		return
	case status == statusInactive:
		httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusForbidden, "La cuenta de usuario está desactivada"))
		return
	}
	pair, err := h.Sessions.Start(ctx, subjectOf(creds))
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	user := creds.Profile // loaded with the credentials: no second query
	if user == nil {
		if user, err = h.Usuarios.UsuarioProfile(ctx, creds.ID); err != nil {
			httpapi.Fail(w, r, nest, err)
			return
		}
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{
		"access_token": pair.Access.Token, "refresh_token": pair.Refresh.Token, "user": user,
	})
}

type loginStatus int

const (
	statusOK loginStatus = iota
	statusBad
	statusLocked
	statusInactive
)

// authenticate checks a secret against an account with the lockout in
// front: unknown accounts cost a bcrypt compare too, and count as failures.
func (h *Handler) authenticate(ctx context.Context, key string, find func() (Credentials, error), secret string) (Credentials, loginStatus, error) {
	left, recorded, err := h.Lockout.State(ctx, key)
	if err != nil {
		return Credentials{}, 0, err
	}
	if left > 0 {
		return Credentials{}, statusLocked, nil
	}
	creds, err := find()
	if err != nil && !errors.Is(err, ErrNoSuchAccount) {
		return Credentials{}, 0, err
	}
	ok, upgrade, err := h.Hasher.Compare(ctx, creds.Hash, secret)
	if err != nil {
		return Credentials{}, 0, err
	}
	if !ok {
		if _, err := h.Lockout.Fail(ctx, key); err != nil {
			return Credentials{}, 0, err
		}
		return Credentials{}, statusBad, nil
	}
	if recorded {
		if err := h.Lockout.Reset(ctx, key); err != nil {
			return Credentials{}, 0, err
		}
	}
	if !creds.Active {
		return Credentials{}, statusInactive, nil
	}
	if upgrade {
		h.upgradeHash(ctx, creds, secret)
	}
	return creds, statusOK, nil
}

// upgradeHash re-hashes a secret made at a lower cost; failing to is not
// worth failing the login for.
func (h *Handler) upgradeHash(ctx context.Context, creds Credentials, secret string) {
	hash, err := h.Hasher.Hash(ctx, secret)
	if err == nil {
		if creds.Kind == KindUsuario {
			err = h.Usuarios.SetUsuarioPasswordHash(ctx, creds.ID, hash, false)
		} else if h.Operators != nil {
			err = h.Operators.SetOperatorPinHash(ctx, creds.ID, hash)
		}
	}
	if err != nil {
		httpapi.LoggerFrom(ctx).Warn("could not upgrade hash cost", "kind", creds.Kind, "account", creds.ID, "error", err)
	}
}

func (h *Handler) lockedError(ctx context.Context, key string, plain bool) *httpapi.Error {
	left, _ := h.Lockout.Locked(ctx, key)
	header := http.Header{}
	secs := httpapi.RetryAfter(header, left)
	if plain {
		return &httpapi.Error{Status: http.StatusTooManyRequests, Header: header, Body: map[string]any{"retryAfter": secs}}
	}
	return &httpapi.Error{Status: http.StatusTooManyRequests, Code: httpapi.CodeRateLimited, Header: header,
		Message: fmt.Sprintf("Cuenta bloqueada temporalmente por intentos fallidos; intente en %d minutos", (secs+59)/60)}
}

func subjectOf(c Credentials) Subject {
	return Subject{Kind: c.Kind, ID: c.ID, Username: c.Username, RoleID: c.RoleID, RoleName: c.RoleName, Version: c.Version}
}

// pinLogin is the Ambrosia terminal's name + PIN login: plain answers and
// cookies.
func (h *Handler) pinLogin(w http.ResponseWriter, r *http.Request, req loginRequest) {
	invalid := &httpapi.Error{Status: http.StatusUnauthorized, Body: map[string]any{"message": "Invalid credentials"}}
	if ok, secs := h.LoginLimit.Allow(w, r); !ok {
		httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusTooManyRequests, Body: map[string]any{"retryAfter": secs}})
		return
	}
	if h.Operators == nil {
		httpapi.Fail(w, r, nest, invalid)
		return
	}
	name, pin := strings.TrimSpace(deref(req.Name)), deref(req.Pin)
	if name == "" || pin == "" {
		httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusBadRequest, Body: map[string]any{"message": "Name and PIN are required"}})
		return
	}
	ctx := r.Context()
	key := "operador:" + strings.ToLower(name)
	creds, status, err := h.authenticate(ctx, key, func() (Credentials, error) {
		return h.Operators.OperatorCredentials(ctx, name)
	}, pin)
	switch {
	case err != nil:
		httpapi.Fail(w, r, nest, err)
		return
	case status == statusLocked:
		httpapi.Fail(w, r, nest, h.lockedError(ctx, key, true))
		return
	case status != statusOK:
		httpapi.Fail(w, r, nest, invalid)
		return
	}
	pair, err := h.Sessions.Start(ctx, subjectOf(creds))
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	user, err := h.Operators.OperatorProfile(ctx, creds.ID)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	h.setCookies(w, r, pair)
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": "Login successful", "user": user, "perms": []string{}})
}

func (h *Handler) setCookies(w http.ResponseWriter, r *http.Request, pair Pair) {
	secure := httpapi.IsHTTPS(r, h.TrustedProxies)
	for _, c := range []struct {
		name string
		tok  Issued
	}{{AccessCookie, pair.Access}, {RefreshCookie, pair.Refresh}} {
		http.SetCookie(w, &http.Cookie{
			Name: c.name, Value: c.tok.Token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
			MaxAge: int(time.Until(c.tok.ExpiresAt).Seconds()), Expires: c.tok.ExpiresAt,
		})
	}
}

func (h *Handler) clearCookies(w http.ResponseWriter, r *http.Request) {
	secure := httpapi.IsHTTPS(r, h.TrustedProxies)
	for _, name := range []string{AccessCookie, RefreshCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: secure,
			SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	}
}

type refreshRequest struct {
	RefreshToken *string `json:"refresh_token"`
}

// refreshToken is the Kantuta-style refresh: the token comes as a bearer
// header, in the body or in the refreshToken cookie.
func (h *Handler) refreshToken(w http.ResponseWriter, r *http.Request) {
	var req refreshRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	tok := deref(req.RefreshToken)
	if tok == "" {
		if hv := r.Header.Get("Authorization"); hv != "" {
			if scheme, t, ok := strings.Cut(strings.TrimSpace(hv), " "); ok && strings.EqualFold(scheme, "Bearer") {
				tok = strings.TrimSpace(t)
			}
		}
	}
	if tok == "" {
		if c, err := r.Cookie(RefreshCookie); err == nil {
			tok = c.Value
		}
	}
	pair, err := h.rotate(r.Context(), tok)
	if err != nil {
		if isTokenError(err) {
			httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid,
				Message: "Refresh token inválido o expirado"})
			return
		}
		httpapi.Fail(w, r, nest, err)
		return
	}
	if _, err := r.Cookie(RefreshCookie); err == nil {
		h.setCookies(w, r, pair)
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"access_token": pair.Access.Token, "refresh_token": pair.Refresh.Token})
}

// refreshCookie is the Ambrosia-style refresh from the refreshToken cookie.
func (h *Handler) refreshCookie(w http.ResponseWriter, r *http.Request) {
	invalid := &httpapi.Error{Status: http.StatusUnauthorized, Body: map[string]any{"message": "Invalid token"}}
	c, err := r.Cookie(RefreshCookie)
	if err != nil || c.Value == "" {
		httpapi.Fail(w, r, nest, invalid)
		return
	}
	pair, err := h.rotate(r.Context(), c.Value)
	if err != nil {
		if isTokenError(err) {
			httpapi.Fail(w, r, nest, invalid)
			return
		}
		httpapi.Fail(w, r, nest, err)
		return
	}
	h.setCookies(w, r, pair)
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": "Access token refreshed successfully", "accessToken": pair.Access.Token})
}

func (h *Handler) rotate(ctx context.Context, tok string) (Pair, error) {
	if tok == "" {
		return Pair{}, ErrInvalidToken
	}
	pair, err := h.Sessions.Rotate(ctx, tok)
	if errors.Is(err, ErrTokenReused) {
		if claims, perr := h.Issuer.ParseRefresh(tok); perr == nil {
			h.Authenticator.ForgetFamily(claims.Family)
		}
		httpapi.LoggerFrom(ctx).Warn("refresh token re-used: session revoked")
	}
	return pair, err
}

func isTokenError(err error) bool {
	return errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrTokenReused)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	families := []string{}
	if p.Family != "" {
		families = append(families, p.Family)
	}
	if c, err := r.Cookie(RefreshCookie); err == nil {
		if claims, err := h.Issuer.ParseRefresh(c.Value); err == nil && claims.Family != "" {
			families = append(families, claims.Family)
		}
	}
	for _, f := range families {
		if err := h.Sessions.RevokeFamily(r.Context(), f); err != nil {
			httpapi.Fail(w, r, nest, err)
			return
		}
		h.Authenticator.ForgetFamily(f)
	}
	h.clearCookies(w, r)
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"message": "Logout successful"})
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var (
		user any
		err  error
	)
	if p.Kind == KindOperador && h.Operators != nil {
		user, err = h.Operators.OperatorProfile(r.Context(), p.ID)
	} else {
		user, err = h.Usuarios.UsuarioProfile(r.Context(), p.ID)
	}
	if errors.Is(err, ErrNoSuchAccount) {
		httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid})
		return
	}
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, user)
}

func (h *Handler) roles(w http.ResponseWriter, r *http.Request) {
	roles, err := h.Roles.List(r.Context())
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	out := make([]role.JSON, 0, len(roles))
	for _, ro := range roles {
		out = append(out, ro.ToJSON())
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
