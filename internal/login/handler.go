package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

var nest httpapi.Renderer = httpapi.NestRenderer{}

// Config is what the /auth routes need.
type Config struct {
	Issuer         *auth.Issuer
	Sessions       *Sessions
	Lockout        *Lockout
	Hasher         *Hasher
	Usuarios       UsuarioAccounts
	Operators      OperatorAccounts
	Roles          *role.Store
	Validator      *httpapi.Validator
	LoginLimit     *httpapi.RateLimit // per client IP, on POST /auth/login
	TrustedProxies []netip.Prefix     // for the cookies' Secure flag
}

// Handler serves the /auth routes shared by the Kantuta frontend (email +
// password, tokens in the body) and the Ambrosia terminal (name + PIN,
// tokens in cookies).
type Handler struct{ Config }

// NewHandler builds the /auth handler.
func NewHandler(cfg Config) *Handler { return &Handler{cfg} }

// Routes mounts the handler under /auth.
func (h *Handler) Routes(r chi.Router) {
	r.Post("/login", httpapi.Handle(nest, h.login))
	r.Post("/refresh_token", httpapi.Handle(nest, h.refreshToken))
	r.Post("/refresh", httpapi.Handle(nest, h.refreshCookie))
	r.With(auth.Require(nest)).Post("/logout", httpapi.Handle(nest, h.logout))
	r.With(auth.Require(nest)).Get("/me", httpapi.Handle(nest, h.me))
	r.With(auth.Require(nest)).Get("/roles/list", httpapi.Handle(nest, h.roles))
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

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.Email == nil && (req.Name != nil || req.Pin != nil) {
		return h.pinLogin(w, r, req)
	}
	if ok, _ := h.LoginLimit.Allow(w, r); !ok {
		return &httpapi.Error{Status: http.StatusTooManyRequests, Code: httpapi.CodeRateLimited,
			Message: "Demasiados intentos de inicio de sesión, intente más tarde"}
	}
	in := emailLogin{Email: deref(req.Email), Password: deref(req.Password)}
	if err := h.Validator.Check(in); err != nil {
		return err
	}
	ctx := r.Context()
	key := UsuarioKey(in.Email)
	creds, status, err := h.authenticate(ctx, key, func() (Credentials, error) {
		return h.Usuarios.UsuarioCredentials(ctx, in.Email)
	}, in.Password)
	switch {
	case err != nil:
		return err
	case status == statusLocked:
		return h.lockedError(ctx, key, false)
	case status == statusBad:
		return httpapi.NewError(http.StatusUnauthorized, "Credenciales inválidas")
	case status == statusInactive:
		return httpapi.NewError(http.StatusForbidden, "La cuenta de usuario está desactivada")
	}
	pair, err := h.Sessions.Start(ctx, subjectOf(creds))
	if err != nil {
		return err
	}
	user := creds.Profile // loaded with the credentials: no second query
	if user == nil {
		if user, err = h.Usuarios.UsuarioProfile(ctx, creds.ID); err != nil {
			return err
		}
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{
		"access_token": pair.Access.Token, "refresh_token": pair.Refresh.Token, "user": user,
	})
	return nil
}

type loginStatus int

const (
	statusOK loginStatus = iota
	statusBad
	statusLocked
	statusInactive
)

// authenticate checks a secret against an account with the lockout in
// front: the attempt is reserved in the database before the compare (a
// locked key answers without one) and given back when the secret is right.
// Unknown accounts cost a bcrypt compare too, and count as failures.
func (h *Handler) authenticate(ctx context.Context, key string, find func() (Credentials, error), secret string) (Credentials, loginStatus, error) {
	left, err := h.Lockout.Reserve(ctx, key)
	if err != nil {
		return Credentials{}, 0, err
	}
	if left > 0 {
		return Credentials{}, statusLocked, nil
	}
	// No check happened (lookup failed, client gone while queued for a
	// bcrypt slot): the attempt is not a failure.
	giveBack := func(err error) error {
		if gerr := h.Lockout.GiveBack(context.WithoutCancel(ctx), key); gerr != nil {
			httpapi.LoggerFrom(ctx).Warn("could not give back a login attempt", "error", gerr)
		}
		return err
	}
	creds, err := find()
	if err != nil && !errors.Is(err, ErrNoSuchAccount) {
		return Credentials{}, 0, giveBack(err)
	}
	ok, upgrade, err := h.Hasher.Compare(ctx, creds.Hash, secret)
	if err != nil {
		return Credentials{}, 0, giveBack(err)
	}
	if !ok {
		return Credentials{}, statusBad, nil // the reserved attempt is the failure
	}
	if err := h.Lockout.GiveBack(ctx, key); err != nil {
		return Credentials{}, 0, err
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
		if creds.Kind == auth.KindUsuario {
			err = h.Usuarios.SetUsuarioPasswordHash(ctx, creds.ID, hash, false)
		} else {
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

func subjectOf(c Credentials) auth.Subject {
	return auth.Subject{Kind: c.Kind, ID: c.ID, Username: c.Username, RoleID: c.RoleID, RoleName: c.RoleName, Version: c.Version}
}

// pinLogin is the Ambrosia terminal's name + PIN login: plain answers and
// cookies.
func (h *Handler) pinLogin(w http.ResponseWriter, r *http.Request, req loginRequest) error {
	invalid := &httpapi.Error{Status: http.StatusUnauthorized, Body: map[string]any{"message": "Invalid credentials"}}
	if ok, secs := h.LoginLimit.Allow(w, r); !ok {
		return &httpapi.Error{Status: http.StatusTooManyRequests, Body: map[string]any{"retryAfter": secs}}
	}
	name, pin := strings.TrimSpace(deref(req.Name)), deref(req.Pin)
	if name == "" || pin == "" {
		return &httpapi.Error{Status: http.StatusBadRequest, Body: map[string]any{"message": "Name and PIN are required"}}
	}
	ctx := r.Context()
	key := "operador:" + strings.ToLower(name)
	creds, status, err := h.authenticate(ctx, key, func() (Credentials, error) {
		return h.Operators.OperatorCredentials(ctx, name)
	}, pin)
	switch {
	case err != nil:
		return err
	case status == statusLocked:
		return h.lockedError(ctx, key, true)
	case status != statusOK:
		return invalid
	}
	pair, err := h.Sessions.Start(ctx, subjectOf(creds))
	if err != nil {
		return err
	}
	user, err := h.Operators.OperatorProfile(ctx, creds.ID)
	if err != nil {
		return err
	}
	h.setCookies(w, r, pair)
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": "Login successful", "user": user, "perms": []string{}})
	return nil
}

func (h *Handler) setCookies(w http.ResponseWriter, r *http.Request, pair Pair) {
	secure := httpapi.IsHTTPS(r, h.TrustedProxies)
	for _, c := range []struct {
		name string
		tok  auth.Issued
	}{{auth.AccessCookie, pair.Access}, {auth.RefreshCookie, pair.Refresh}} {
		http.SetCookie(w, &http.Cookie{
			Name: c.name, Value: c.tok.Token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
			MaxAge: int(time.Until(c.tok.ExpiresAt).Seconds()), Expires: c.tok.ExpiresAt,
		})
	}
}

func (h *Handler) clearCookies(w http.ResponseWriter, r *http.Request) {
	secure := httpapi.IsHTTPS(r, h.TrustedProxies)
	for _, name := range []string{auth.AccessCookie, auth.RefreshCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: secure,
			SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
	}
}

type refreshRequest struct {
	RefreshToken *string `json:"refresh_token"`
}

// refreshToken is the Kantuta-style refresh: the token comes as a bearer
// header, in the body or in the refreshToken cookie.
func (h *Handler) refreshToken(w http.ResponseWriter, r *http.Request) error {
	var req refreshRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		return err
	}
	tok := deref(req.RefreshToken)
	if tok == "" {
		tok = auth.BearerToken(r)
	}
	if tok == "" {
		if c, err := r.Cookie(auth.RefreshCookie); err == nil {
			tok = c.Value
		}
	}
	pair, err := h.rotate(r.Context(), tok)
	if err != nil {
		if isTokenError(err) {
			return &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid,
				Message: "Refresh token inválido o expirado"}
		}
		return err
	}
	if _, err := r.Cookie(auth.RefreshCookie); err == nil {
		h.setCookies(w, r, pair)
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"access_token": pair.Access.Token, "refresh_token": pair.Refresh.Token})
	return nil
}

// refreshCookie is the Ambrosia-style refresh from the refreshToken cookie.
func (h *Handler) refreshCookie(w http.ResponseWriter, r *http.Request) error {
	invalid := &httpapi.Error{Status: http.StatusUnauthorized, Body: map[string]any{"message": "Invalid token"}}
	c, err := r.Cookie(auth.RefreshCookie)
	if err != nil || c.Value == "" {
		return invalid
	}
	pair, err := h.rotate(r.Context(), c.Value)
	if err != nil {
		if isTokenError(err) {
			return invalid
		}
		return err
	}
	h.setCookies(w, r, pair)
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": "Access token refreshed successfully", "accessToken": pair.Access.Token})
	return nil
}

func (h *Handler) rotate(ctx context.Context, tok string) (Pair, error) {
	if tok == "" {
		return Pair{}, auth.ErrInvalidToken
	}
	pair, err := h.Sessions.Rotate(ctx, tok)
	if errors.Is(err, ErrTokenReused) {
		httpapi.LoggerFrom(ctx).Warn("refresh token re-used: session revoked")
	}
	return pair, err
}

func isTokenError(err error) bool {
	return errors.Is(err, auth.ErrInvalidToken) || errors.Is(err, ErrTokenReused)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	p, _ := auth.PrincipalFrom(r.Context())
	families := []string{}
	if p.Family != "" {
		families = append(families, p.Family)
	}
	if c, err := r.Cookie(auth.RefreshCookie); err == nil {
		if claims, err := h.Issuer.ParseRefresh(c.Value); err == nil && claims.Family != "" {
			families = append(families, claims.Family)
		}
	}
	for _, f := range families {
		if err := h.Sessions.End(r.Context(), f); err != nil {
			return err
		}
	}
	h.clearCookies(w, r)
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"message": "Logout successful"})
	return nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	p, _ := auth.PrincipalFrom(r.Context())
	var (
		user any
		err  error
	)
	if p.Kind == auth.KindOperador {
		user, err = h.Operators.OperatorProfile(r.Context(), p.ID)
	} else {
		user, err = h.Usuarios.UsuarioProfile(r.Context(), p.ID)
	}
	if errors.Is(err, ErrNoSuchAccount) {
		return &httpapi.Error{Status: http.StatusUnauthorized, Code: httpapi.CodeTokenInvalid}
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, user)
	return nil
}

func (h *Handler) roles(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.Roles.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]role.JSON, 0, len(roles))
	for _, ro := range roles {
		out = append(out, ro.ToJSON())
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
