package usuario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
	// Wake tells the outbox worker there is mail, after the commit.
	Wake()
}

// Config is what the /usuario routes need.
type Config struct {
	Store            *Store
	Roles            *role.Store
	Hasher           *login.Hasher
	Sessions         *login.Sessions
	Validator        *httpapi.Validator
	Mailer           Mailer
	RegistrationOpen bool               // REGISTRATION_OPEN: anyone may register
	RegisterLimit    *httpapi.RateLimit // per client IP, on POST /register
}

// Handler serves /usuario.
type Handler struct{ Config }

// NewHandler builds the /usuario handler.
func NewHandler(cfg Config) *Handler { return &Handler{cfg} }

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

// streamAll answers GET /usuario without a page: every usuario, encoded
// as the rows arrive, so that memory does not grow with the shop's staff.
func (h *Handler) streamAll(w http.ResponseWriter, r *http.Request) error {
	return httpapi.StreamList(w, r, `{"status":200,"message":"`+listMessage+`","data":[`, "]}", func(emit func(any) error) error {
		return h.Store.Each(r.Context(), func(u Usuario) error { return emit(u.ToJSON()) })
	})
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
	u, err := h.Store.ByID(r.Context(), id)
	if err != nil {
		return toHTTP(err)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"status": 200, "message": "Usuario encontrado!", "data": u.ToJSON()})
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
	u, err := h.Store.Update(ctx, id, c)
	if err != nil {
		return toHTTP(err)
	}
	if req.Password != nil {
		// Other sessions end; the caller's own stays when it changes its own password.
		keep := ""
		if p.IsUsuario(id) {
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
