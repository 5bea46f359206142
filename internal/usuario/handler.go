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
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/role"
)

var nest httpapi.Renderer = httpapi.NestRenderer{}

// Mailer queues the system mails a usuario route triggers (mail.System).
type Mailer interface {
	// Welcome queues the welcome mail inside tx: it exists only if tx commits.
	Welcome(ctx context.Context, tx *gorm.DB, to, name string) (int64, error)
	// Wake tells the outbox worker there is mail, after the commit.
	Wake()
}

// Handler serves /usuario.
type Handler struct {
	Store            *Store
	Roles            *role.Store
	Hasher           *auth.Hasher
	Sessions         *auth.Sessions
	Authenticator    *auth.Authenticator
	Validator        *httpapi.Validator
	RegistrationOpen bool
	RegisterLimit    *httpapi.RateLimit
	Mailer           Mailer // may be nil
}

// Routes mounts the handler under /usuario.
func (h *Handler) Routes(r chi.Router) {
	register := r.With(h.RegisterLimit.Middleware(nest))
	if !h.RegistrationOpen {
		register = register.With(auth.Require(nest, role.Admin))
	}
	register.Post("/register", h.register)
	r.With(auth.Require(nest, role.Admin, role.Lider)).Get("/", h.list)
	r.With(auth.Require(nest)).Get("/{id}", h.get)
	r.With(auth.Require(nest)).Patch("/{id}", h.patch)
	r.With(auth.Require(nest, role.Admin)).Delete("/{id}", h.delete)
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

type registerRequest struct {
	Email           *string `json:"email"`
	Password        *string `json:"password"`
	Nombres         *string `json:"nombres"`
	PApellido       *string `json:"p_apellido"`
	SApellido       *string `json:"s_apellido"`
	FechaNacimiento *string `json:"fecha_nacimiento"`
	Genero          *string `json:"genero"`
	Name            *string `json:"name"`
	Estado          *bool   `json:"estado"`
	IDRole          *int    `json:"id_role"`
}

// account-level rules shared by register and patch.
type accountFields struct {
	Email    *string `json:"email" validate:"omitempty,email,max=150"`
	Password *string `json:"password" validate:"omitempty,minbytes=8,maxbytes=72"`
	Name     *string `json:"name" validate:"omitempty,max=100"`
}

func (h *Handler) checkAccount(a accountFields, required bool) []string {
	var msgs []string
	if required && (a.Email == nil || strings.TrimSpace(*a.Email) == "") {
		msgs = append(msgs, "email es requerido")
		a.Email = nil
	}
	if required && (a.Password == nil || *a.Password == "") {
		msgs = append(msgs, "password es requerido")
		a.Password = nil
	}
	if a.Email != nil {
		e := strings.TrimSpace(*a.Email)
		a.Email = &e
	}
	return append(msgs, h.Validator.Messages(a)...)
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	decodeMsgs, err := httpapi.DecodeFields(r, &req)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	msgs := h.checkAccount(accountFields{Email: req.Email, Password: req.Password}, true)
	pf := persona.Fields{Nombres: req.Nombres, PApellido: req.PApellido, SApellido: req.SApellido,
		FechaNacimiento: req.FechaNacimiento, Genero: req.Genero}
	msgs = append(msgs, pf.Validate(true, time.Now())...)
	if req.Name != nil {
		n := strings.TrimSpace(*req.Name)
		req.Name = &n
		msgs = append(msgs, h.Validator.Messages(accountFields{Name: req.Name})...)
	}
	if msgs = append(msgs, decodeMsgs...); len(msgs) > 0 {
		httpapi.Fail(w, r, nest, httpapi.Validation(msgs...))
		return
	}
	ctx := r.Context()
	roleID := role.User
	if req.IDRole != nil {
		p, ok := auth.PrincipalFrom(ctx)
		if !ok || !p.HasRole(role.Admin) {
			httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusForbidden, "Solo un administrador puede asignar id_role"))
			return
		}
		if _, err := h.Roles.ByID(ctx, *req.IDRole); err != nil {
			if errors.Is(err, role.ErrNotFound) {
				err = httpapi.Validation("id_role no corresponde a un rol existente")
			}
			httpapi.Fail(w, r, nest, err)
			return
		}
		roleID = *req.IDRole
	}
	hash, err := h.Hasher.Hash(ctx, *req.Password)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	email := NormalizeEmail(*req.Email)
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
	pf.Apply(&u.Persona)
	var welcome func(tx *gorm.DB) error
	if h.Mailer != nil {
		welcome = func(tx *gorm.DB) error {
			_, err := h.Mailer.Welcome(ctx, tx, u.Email, u.Persona.Nombres)
			return err
		}
	}
	if err := h.Store.Create(ctx, &u, welcome); err != nil {
		httpapi.Fail(w, r, nest, toHTTP(err))
		return
	}
	if h.Mailer != nil {
		h.Mailer.Wake()
	}
	httpapi.WriteJSON(w, http.StatusCreated, u.ToJSON())
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
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
			httpapi.Fail(w, r, nest, httpapi.Validation(msgs...))
			return
		}
	}
	if page.Limit == 0 {
		h.streamAll(w, r)
		return
	}
	us, total, err := h.Store.List(r.Context(), page)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	data := make([]JSON, 0, len(us))
	for _, u := range us {
		data = append(data, u.ToJSON())
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"status": 200, "message": listMessage, "data": data, "page": page.Page, "limit": page.Limit, "total": total})
}

const listMessage = "Listado de usuarios registradas!"

// MaxName is the length of usuario.name (characters).
const MaxName = 100

// MaxPage is the largest page GET /usuario accepts; with 500 a page it
// reaches 500 million usuarios, far past any shop.
const MaxPage = 1_000_000

// streamAll answers GET /usuario without a page: every usuario, encoded
// as the rows arrive, so that memory does not grow with the shop's staff.
func (h *Handler) streamAll(w http.ResponseWriter, r *http.Request) {
	httpapi.StreamList(w, r, nest, `{"status":200,"message":"`+listMessage+`","data":[`, "]}", func(emit func(any) error) error {
		return h.Store.Each(r.Context(), func(u Usuario) error { return emit(u.ToJSON()) })
	})
}

// target reads the path id and checks the caller may act on it: admins
// and líderes (read) on anyone, everyone else only on themselves.
func (h *Handler) target(w http.ResponseWriter, r *http.Request, write bool) (int64, auth.Principal, bool) {
	p, _ := auth.PrincipalFrom(r.Context())
	id, err := persona.ParseID(chi.URLParam(r, "id"))
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return 0, p, false
	}
	allowed := p.HasRole(role.Admin) || (!write && p.HasRole(role.Lider)) || p.IsUsuario(id)
	if !allowed {
		httpapi.Fail(w, r, nest, &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden})
		return 0, p, false
	}
	return id, p, true
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	id, _, ok := h.target(w, r, false)
	if !ok {
		return
	}
	u, err := h.Store.ByID(r.Context(), id)
	if err != nil {
		httpapi.Fail(w, r, nest, toHTTP(err))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"status": 200, "message": "Usuario encontrado!", "data": u.ToJSON()})
}

type patchRequest struct {
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Password *string `json:"password"`
	Estado   *bool   `json:"estado"`
	IDRole   *int    `json:"id_role"`
}

func (h *Handler) patch(w http.ResponseWriter, r *http.Request) {
	id, p, ok := h.target(w, r, true)
	if !ok {
		return
	}
	var req patchRequest
	decodeMsgs, err := httpapi.DecodeFields(r, &req)
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	if req.Name != nil {
		n := strings.TrimSpace(*req.Name)
		req.Name = &n
	}
	msgs := h.checkAccount(accountFields{Email: req.Email, Password: req.Password, Name: req.Name}, false)
	if req.Name != nil && *req.Name == "" {
		msgs = append([]string{"name no debe estar vacío"}, msgs...)
	}
	if msgs = append(msgs, decodeMsgs...); len(msgs) > 0 {
		httpapi.Fail(w, r, nest, httpapi.Validation(msgs...))
		return
	}
	ctx := r.Context()
	cur, err := h.Store.ByID(ctx, id)
	if err != nil {
		httpapi.Fail(w, r, nest, toHTTP(err))
		return
	}
	// The frontend's account form always sends estado and id_role: a
	// non-admin may send them unchanged, never change them.
	if !p.HasRole(role.Admin) && ((req.Estado != nil && *req.Estado != cur.Estado) || (req.IDRole != nil && *req.IDRole != cur.IDRole)) {
		httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusForbidden, "Solo un administrador puede cambiar estado o id_role"))
		return
	}
	if req.IDRole != nil && *req.IDRole != cur.IDRole {
		if _, err := h.Roles.ByID(ctx, *req.IDRole); err != nil {
			if errors.Is(err, role.ErrNotFound) {
				err = httpapi.Validation("id_role no corresponde a un rol existente")
			}
			httpapi.Fail(w, r, nest, err)
			return
		}
	}
	c := Changes{Name: req.Name, Email: req.Email, Estado: req.Estado, IDRole: req.IDRole, ActorID: auth.ActorID(ctx)}
	if req.Password != nil {
		hash, err := h.Hasher.Hash(ctx, *req.Password)
		if err != nil {
			httpapi.Fail(w, r, nest, err)
			return
		}
		c.PasswordHash = &hash
	}
	u, err := h.Store.Update(ctx, id, c)
	if err != nil {
		httpapi.Fail(w, r, nest, toHTTP(err))
		return
	}
	if req.Password != nil {
		// Other sessions end; the caller's own stays when it changes its own password.
		keep := ""
		if p.IsUsuario(id) {
			keep = p.Family
		}
		if err := h.revokeSessions(ctx, id, keep); err != nil {
			httpapi.Fail(w, r, nest, err)
			return
		}
	}
	h.Authenticator.Forget(auth.KindUsuario, strconv.FormatInt(id, 10))
	httpapi.WriteJSON(w, http.StatusOK, u.ToJSON())
}

func (h *Handler) revokeSessions(ctx context.Context, id int64, keep string) error {
	families, err := h.Sessions.RevokeAll(ctx, auth.KindUsuario, strconv.FormatInt(id, 10), keep)
	for _, f := range families {
		h.Authenticator.ForgetFamily(f)
	}
	return err
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	id, _, ok := h.target(w, r, true)
	if !ok {
		return
	}
	ctx := r.Context()
	u, err := h.Store.Deactivate(ctx, id, auth.ActorID(ctx))
	if err != nil {
		httpapi.Fail(w, r, nest, toHTTP(err))
		return
	}
	if err := h.revokeSessions(ctx, id, ""); err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	h.Authenticator.Forget(auth.KindUsuario, strconv.FormatInt(id, 10))
	httpapi.WriteJSON(w, http.StatusOK, u.ToJSON())
}
