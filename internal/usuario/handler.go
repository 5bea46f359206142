package usuario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/role"
)

var nest httpapi.Renderer = httpapi.NestRenderer{}

// Mailer queues the system mails a usuario route triggers (mail.System).
type Mailer interface {
	// Welcome queues the welcome mail inside tx: it exists only if tx commits.
	Welcome(ctx context.Context, tx *gorm.DB, to, name string) (int64, error)
	// Message queues a plain notice inside tx (the email-change notice).
	Message(ctx context.Context, tx *gorm.DB, to, name, subject, message string, by *int64) (int64, error)
	// PasswordChanged queues the "password changed" notice inside tx.
	PasswordChanged(ctx context.Context, tx *gorm.DB, to, name string) (int64, error)
	// Wake tells the outbox worker there is mail, after the commit.
	Wake()
}

// Config is what the /usuario routes need.
type Config struct {
	Store            *Store
	Roles            *role.Store
	Hasher           *login.Hasher
	Sessions         *login.Sessions
	Lockout          *login.Lockout // counts wrong currentPassword like failed logins
	Validator        *httpapi.Validator
	Mailer           Mailer
	RegistrationOpen bool               // REGISTRATION_OPEN: anyone may register
	RegisterLimit    *httpapi.RateLimit // per client IP, on POST /register
}

// Handler serves /usuario.
type Handler struct {
	Config
	cache *listCache
}

// NewHandler builds the /usuario handler.
func NewHandler(cfg Config) *Handler {
	if cfg.Lockout == nil {
		cfg.Lockout = login.NewLockout(nil, 0, 0) // disabled
	}
	return &Handler{Config: cfg, cache: &listCache{}}
}

// Routes mounts the handler under /usuario.
func (h *Handler) Routes(r chi.Router) {
	register := r.With(h.RegisterLimit.Middleware(nest))
	if !h.RegistrationOpen {
		register = register.With(auth.Require(nest, role.Admin))
	}
	register.Post("/register", httpapi.Handle(nest, h.register))
	r.With(auth.Require(nest, role.Admin, role.Lider)).Get("/", httpapi.Handle(nest, h.list))
	r.With(auth.Require(nest)).Get("/{id}", httpapi.Handle(nest, h.get))
	r.With(auth.Require(nest)).Patch("/{id}", httpapi.Handle(nest, h.patch))
	r.With(auth.Require(nest, role.Admin)).Delete("/{id}", httpapi.Handle(nest, h.delete))
}

// Store errors to HTTP, in one place.
func toHTTP(err error) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return httpapi.NewError(http.StatusNotFound, "No existen datos de usuario")
	case errors.Is(err, ErrEmailTaken):
		return httpapi.NewError(http.StatusConflict, "El email ya se encuentra registrado")
	case errors.Is(err, ErrLastAdmin):
		return httpapi.NewError(http.StatusConflict, "No se puede desactivar ni degradar al último administrador activo")
	}
	return err
}

// registerRequest is the body of POST /usuario/register: the account and
// its persona.
type registerRequest struct {
	Email    *string `json:"email" validate:"filled,email,max=150"`
	Password *string `json:"password" validate:"filled,minbytes=8,maxbytes=72"`
	persona.Fields
	Name   *string `json:"name" validate:"omitnil,max=100"`
	Estado *bool   `json:"estado"`
	IDRole *int    `json:"id_role"`
}

func (registerRequest) Creates() bool { return true }

func (req *registerRequest) Normalize() {
	trim(req.Email)
	trim(req.Name)
	req.Fields.Normalize()
}

// trim trims a given text in place.
func trim(s *string) {
	if s != nil {
		*s = strings.TrimSpace(*s)
	}
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := h.Validator.Bind(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	roleID := role.User
	if req.IDRole != nil {
		p, ok := auth.PrincipalFrom(ctx)
		if !ok || !p.HasRole(role.Admin) {
			return httpapi.NewError(http.StatusForbidden, "Solo un administrador puede asignar id_role")
		}
		if _, err := h.Roles.ByID(ctx, *req.IDRole); err != nil {
			if errors.Is(err, role.ErrNotFound) {
				err = httpapi.Validation("id_role no corresponde a un rol existente")
			}
			return err
		}
		roleID = *req.IDRole
	}
	hash, err := h.Hasher.Hash(ctx, *req.Password)
	if err != nil {
		return err
	}
	email := login.NormalizeEmail(*req.Email)
	name := email
	if at := strings.LastIndexByte(email, '@'); at > 0 {
		name = email[:at]
	}
	// The local part may be longer than the name column (an address of up
	// to 150 characters passes validation): cut it, whole characters only.
	if utf8.RuneCountInString(name) > MaxName {
		name = string([]rune(name)[:MaxName])
	}
	if req.Name != nil && *req.Name != "" {
		name = *req.Name
	}
	actor := auth.ActorID(ctx)
	u := Usuario{Name: name, Email: email, Password: hash, IDRole: roleID, Estado: req.Estado == nil || *req.Estado,
		IDUserCreate: actor, Persona: persona.Persona{Estado: true, IDUserCreate: actor}}
	req.Apply(&u.Persona)
	welcome := func(tx *gorm.DB) error {
		_, err := h.Mailer.Welcome(ctx, tx, u.Email, u.Persona.Nombres)
		return err
	}
	if err := h.Store.Create(ctx, &u, welcome); err != nil {
		return toHTTP(err)
	}
	h.Mailer.Wake()
	httpapi.WriteJSON(w, http.StatusCreated, u.ToJSON())
	return nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var page Page
	if q.Has("page") || q.Has("limit") {
		var msgs []string
		page.Page, page.Limit = 1, 20
		if v := q.Get("page"); q.Has("page") {
			// Bounded so that (page-1)×limit cannot overflow the offset: a
			// huge page wrapped around to the first one (issue 14).
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxPage {
				msgs = append(msgs, fmt.Sprintf("page debe ser un número entero entre 1 y %d", MaxPage))
			}
			page.Page = n
		}
		if v := q.Get("limit"); q.Has("limit") {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 500 {
				msgs = append(msgs, "limit debe ser un número entero entre 1 y 500")
			}
			page.Limit = n
		}
		if len(msgs) > 0 {
			return httpapi.Validation(msgs...)
		}
	}
	if page.Limit == 0 {
		return h.streamAll(w, r)
	}
	us, total, err := h.Store.List(r.Context(), page)
	if err != nil {
		return err
	}
	data := make([]JSON, 0, len(us))
	for _, u := range us {
		data = append(data, u.ToJSON())
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"status": 200, "message": listMessage, "data": data, "page": page.Page, "limit": page.Limit, "total": total})
	return nil
}

const listMessage = "Listado de usuarios registradas!"

// MaxName is the length of usuario.name (characters).
const MaxName = 100

// MaxPage is the largest page GET /usuario accepts; with 500 a page it
// reaches 500 million usuarios, far past any shop.
const MaxPage = 1_000_000

// streamAll answers GET /usuario without a page: every usuario. The answer
// is kept (listCache) and served again while usuario_list_version stays
// the same; otherwise it is encoded as the rows arrive, so that memory does
// not grow with the shop's staff, and kept if it is not too long.
func (h *Handler) streamAll(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	current, err := h.Store.ListVersion(ctx)
	if err != nil {
		return err
	}
	if plain, gz, ok := h.cache.get(current); ok {
		httpapi.WriteJSONEncoded(w, r, plain, gz)
		return nil
	}
	tee := &teeWriter{ResponseWriter: w, limit: maxCachedList}
	var buf []byte
	read := int64(-1)
	err = httpapi.StreamJSON(tee, r, `{"status":200,"message":"`+listMessage+`","data":[`, "]}", func(emit func([]byte) error) error {
		return h.Store.Each(ctx, func(u Usuario, version int64) error {
			read = version
			buf = u.ToJSON().AppendJSON(buf[:0])
			return emit(buf)
		})
	})
	if err == nil && read >= 0 && !tee.overflow {
		h.cache.put(read, tee.buf, httpapi.Gzip(tee.buf))
	}
	return err
}

// target reads the path id and checks the caller may act on it: admins
// and líderes (read) on anyone, everyone else only on themselves.
func (h *Handler) target(r *http.Request, write bool) (int64, auth.Principal, error) {
	p, _ := auth.PrincipalFrom(r.Context())
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return 0, p, err
	}
	allowed := p.HasRole(role.Admin) || (!write && p.HasRole(role.Lider)) || p.IsUsuario(id)
	if !allowed {
		return 0, p, &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden}
	}
	return id, p, nil
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	id, _, err := h.target(r, false)
	if err != nil {
		return err
	}
	// The hottest single answer: kept per id while usuario_list_version
	// stays the same (listCache), so a repeated lookup reads one row of a
	// one-row table.
	ctx := r.Context()
	current, err := h.Store.ListVersion(ctx)
	if err != nil {
		return err
	}
	if b, ok := h.cache.getOne(current, id); ok {
		httpapi.WriteJSONBytes(w, http.StatusOK, b)
		return nil
	}
	u, version, err := h.Store.View(ctx, id)
	if err != nil {
		return toHTTP(err)
	}
	// Written by hand: the bytes encoding/json gives the map
	// {"status","message","data"} (its keys sorted).
	b := make([]byte, 0, 640)
	b = append(b, `{"data":`...)
	b = u.ToJSON().AppendJSON(b)
	b = append(b, `,"message":"Usuario encontrado!","status":200}`...)
	h.cache.putOne(version, id, b)
	httpapi.WriteJSONBytes(w, http.StatusOK, b)
	return nil
}

// patchRequest is the body of PATCH /usuario/{id}: the account fields to
// change.
type patchRequest struct {
	Name     *string `json:"name" validate:"omitnil,notblank,max=100"`
	Email    *string `json:"email" validate:"omitnil,email,max=150"`
	Password *string `json:"password" validate:"omitnil,minbytes=8,maxbytes=72"`
	Estado   *bool   `json:"estado"`
	IDRole   *int    `json:"id_role"`
	// CurrentPassword proves a non-admin changing its own email or password
	// is the account's owner, not the holder of a stolen token.
	CurrentPassword *string `json:"currentPassword" validate:"omitnil,maxbytes=72"`
}

func (req *patchRequest) Normalize() {
	trim(req.Name)
	trim(req.Email)
}

func (h *Handler) patch(w http.ResponseWriter, r *http.Request) error {
	id, p, err := h.target(r, true)
	if err != nil {
		return err
	}
	var req patchRequest
	if err := h.Validator.Bind(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	cur, err := h.Store.ByID(ctx, id)
	if err != nil {
		return toHTTP(err)
	}
	// The frontend's account form always sends estado and id_role: a
	// non-admin may send them unchanged, never change them.
	if !p.HasRole(role.Admin) && ((req.Estado != nil && *req.Estado != cur.Estado) || (req.IDRole != nil && *req.IDRole != cur.IDRole)) {
		return httpapi.NewError(http.StatusForbidden, "Solo un administrador puede cambiar estado o id_role")
	}
	self := p.IsUsuario(id)
	newEmail := ""
	if req.Email != nil && login.NormalizeEmail(*req.Email) != cur.Email {
		newEmail = login.NormalizeEmail(*req.Email)
	}
	if self && (req.CurrentPassword != nil || (!p.HasRole(role.Admin) && (newEmail != "" || req.Password != nil))) {
		if err := h.checkCurrentPassword(r, cur, req.CurrentPassword); err != nil {
			return err
		}
	}
	if req.IDRole != nil && *req.IDRole != cur.IDRole {
		if _, err := h.Roles.ByID(ctx, *req.IDRole); err != nil {
			if errors.Is(err, role.ErrNotFound) {
				err = httpapi.Validation("id_role no corresponde a un rol existente")
			}
			return err
		}
	}
	c := Changes{Name: req.Name, Email: req.Email, Estado: req.Estado, IDRole: req.IDRole, ActorID: auth.ActorID(ctx)}
	if req.Password != nil {
		hash, err := h.Hasher.Hash(ctx, *req.Password)
		if err != nil {
			return err
		}
		c.PasswordHash = &hash
	}
	notice := newEmail != "" || req.Password != nil
	if notice {
		// The owner hears of it at the address it had, in the update's
		// transaction: no change without its notice, no notice without it.
		c.Also = func(tx *gorm.DB, before Usuario) error {
			return h.notify(ctx, tx, before, newEmail, req.Password != nil)
		}
	}
	u, err := h.Store.Update(ctx, id, c)
	if err != nil {
		return toHTTP(err)
	}
	if notice {
		h.Mailer.Wake()
		// Other sessions end (an email or password change is how an account
		// is taken over); the caller's own stays when it changes itself.
		keep := ""
		if self {
			keep = p.Family
		}
		if err := h.Sessions.EndAll(ctx, auth.KindUsuario, strconv.FormatInt(id, 10), keep); err != nil {
			return err
		}
	} else {
		h.Sessions.Forget(auth.KindUsuario, strconv.FormatInt(id, 10)) // role or estado may have changed
	}
	httpapi.WriteJSON(w, http.StatusOK, u.ToJSON())
	return nil
}

// Answers to a missing or wrong currentPassword. A wrong one is a 400, not
// a 401: the React frontend drops the session on any 401 (SPEC §14).
var (
	errCurrentRequired = httpapi.Validation("currentPassword es requerido")
	errCurrentWrong    = httpapi.NewError(http.StatusBadRequest, "Credenciales inválidas")
)

// checkCurrentPassword verifies the caller's own password behind the
// login's lockout: a wrong one counts as a failed login, a locked account
// is 429 without a compare.
func (h *Handler) checkCurrentPassword(r *http.Request, cur Usuario, given *string) error {
	if given == nil || *given == "" {
		return errCurrentRequired
	}
	ctx := r.Context()
	ok, locked, err := h.Lockout.Verify(ctx, h.Hasher, login.UsuarioKey(cur.Email), cur.Password, *given)
	switch {
	case err != nil:
		return err
	case locked > 0:
		header := http.Header{}
		secs := httpapi.RetryAfter(header, locked)
		return &httpapi.Error{Status: http.StatusTooManyRequests, Code: httpapi.CodeRateLimited, Header: header,
			Message: fmt.Sprintf("Cuenta bloqueada temporalmente por intentos fallidos; intente en %d minutos", (secs+59)/60)}
	case !ok:
		return errCurrentWrong
	}
	return nil
}

// notify queues the notice of an email or password change to the address
// the account had before.
func (h *Handler) notify(ctx context.Context, tx *gorm.DB, before Usuario, newEmail string, password bool) error {
	var err error
	if newEmail == "" || newEmail == before.Email {
		_, err = h.Mailer.PasswordChanged(ctx, tx, before.Email, before.Name)
		return err
	}
	msg := fmt.Sprintf("El correo de tu cuenta de Kantuta POS se cambió de %s a %s el %s (UTC).",
		before.Email, newEmail, time.Now().UTC().Format("02/01/2006 15:04"))
	if password {
		msg += " También se cambió la contraseña."
	}
	msg += " Las demás sesiones de la cuenta se cerraron. Si no fuiste tú, avisa de inmediato al administrador de la tienda."
	_, err = h.Mailer.Message(ctx, tx, before.Email, before.Name, "El correo de tu cuenta de Kantuta POS fue cambiado", msg, auth.ActorID(ctx))
	return err
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) error {
	id, _, err := h.target(r, true)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := h.Store.Deactivate(ctx, id, auth.ActorID(ctx))
	if err != nil {
		return toHTTP(err)
	}
	if err := h.Sessions.EndAll(ctx, auth.KindUsuario, strconv.FormatInt(id, 10), ""); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, u.ToJSON())
	return nil
}
