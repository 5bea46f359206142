package persona

import (
	"context"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

var nest httpapi.Renderer = httpapi.NestRenderer{}

// Owners answers the questions about usuarios a persona route needs,
// without this package knowing the usuario package.
type Owners interface {
	// PersonaOf returns the persona id of usuario id.
	PersonaOf(ctx context.Context, usuarioID int64) (int64, error)
	// BacksActiveUsuario reports whether an active usuario owns persona pid.
	BacksActiveUsuario(ctx context.Context, pid int64) (bool, error)
}

// Config is what the /persona routes need.
type Config struct {
	Store        *Store
	Validator    *httpapi.Validator // with RegisterRules' rules
	Owners       Owners
	PublicLookup bool               // PERSONA_PUBLIC_LOOKUP: GET /persona/{id} without a token
	CreateLimit  *httpapi.RateLimit // per client IP, on the public POST
}

// Handler serves /persona.
type Handler struct{ Config }

// NewHandler builds the /persona handler.
func NewHandler(cfg Config) *Handler { return &Handler{cfg} }

// Routes mounts the handler under /persona.
func (h *Handler) Routes(r chi.Router) {
	r.With(h.CreateLimit.Middleware(nest)).Post("/", httpapi.Handle(nest, h.create))
	r.With(auth.Require(nest, role.Admin, role.Lider)).Get("/", httpapi.Handle(nest, h.list))
	r.With(auth.Require(nest)).Put("/", httpapi.Handle(nest, h.update))
	if h.PublicLookup {
		r.Get("/{id}", httpapi.Handle(nest, h.get))
	} else {
		r.With(auth.Require(nest)).Get("/{id}", httpapi.Handle(nest, h.get))
	}
	r.With(auth.Require(nest, role.Admin)).Delete("/{id}", httpapi.Handle(nest, h.delete))
}

// createRequest is the body of POST /persona.
type createRequest struct{ Fields }

func (createRequest) Creates() bool { return true }

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	var req createRequest
	if err := h.Validator.Bind(r, &req); err != nil {
		return err
	}
	p := Persona{Estado: true, IDUserCreate: auth.ActorID(r.Context())}
	req.Apply(&p)
	if err := h.Store.Create(r.Context(), &p); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"status": 200, "message": "Se creó la persona con éxito!", "data": p.ToJSON()})
	return nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	// Streamed: the list grows with every registration.
	return httpapi.StreamList(w, r, `{"status":200,"message":"Listado de personas registradas!","data":[`, "]}", func(emit func(any) error) error {
		return h.Store.Each(r.Context(), func(p Persona) error { return emit(p.ToJSON()) })
	})
}

var errForbidden = &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden}

// mayAccess: admins and líderes any persona; anyone else only their own
// (errForbidden otherwise).
func (h *Handler) mayAccess(ctx context.Context, pid int64) error {
	p, ok := auth.PrincipalFrom(ctx)
	switch {
	case ok && p.HasRole(role.Admin, role.Lider):
		return nil
	case !ok || p.Kind != auth.KindUsuario:
		return errForbidden
	}
	own, err := h.Owners.PersonaOf(ctx, p.UsuarioID())
	if err != nil {
		return err
	}
	if own != pid {
		return errForbidden
	}
	return nil
}

// toHTTP maps store errors to the family's answers, in one place.
func toHTTP(err error) error {
	if errors.Is(err, ErrNotFound) {
		return httpapi.NewError(http.StatusNotFound, "No existen datos de la persona")
	}
	return err
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	if !h.PublicLookup {
		if err := h.mayAccess(r.Context(), id); err != nil {
			return err
		}
	}
	p, err := h.Store.ByID(r.Context(), id)
	if err != nil {
		return toHTTP(err)
	}
	httpapi.WriteJSON(w, http.StatusOK, p.ToJSON())
	return nil
}

// updateBody is the body of PUT /persona: the persona's id and the fields
// to change.
type updateBody struct {
	ID *int64 `json:"id" validate:"persona_id"`
	Fields
	IDUserUpdate *int64 `json:"id_user_update"` // sent by the frontend; the token decides
	IDUserCreate *int64 `json:"id_user_create"` // likewise ignored
	Estado       *bool  `json:"estado"`         // ignored: DELETE deactivates
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	var req updateBody
	if err := h.Validator.Bind(r, &req); err != nil {
		return err
	}
	if err := h.mayAccess(r.Context(), *req.ID); err != nil {
		return err
	}
	p, err := h.Store.Update(r.Context(), *req.ID, req.Fields, auth.ActorID(r.Context()))
	if err != nil {
		return toHTTP(err)
	}
	httpapi.WriteJSON(w, http.StatusOK, p.ToJSON())
	return nil
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Store.ByID(r.Context(), id); err != nil {
		return toHTTP(err)
	}
	backs, err := h.Owners.BacksActiveUsuario(r.Context(), id)
	if err != nil {
		return err
	}
	if backs {
		return httpapi.NewError(http.StatusConflict, "La persona pertenece a un usuario activo; desactive primero el usuario")
	}
	p, err := h.Store.Deactivate(r.Context(), id, auth.ActorID(r.Context()))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, p.ToJSON())
	return nil
}
