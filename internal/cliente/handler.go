package cliente

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

// Messages of seed 004 and SPEC §8.
const (
	msgCreated      = "Cliente creado exitosamente"
	msgListed       = "Listado obtenido correctamente"
	msgUpdated      = "Cliente actualizado correctamente"
	msgDeleted      = "Cliente eliminado correctamente"
	msgNotFound     = "Cliente no encontrado"
	msgNotFoundPut  = "Cliente no encontrado para actualizar"
	msgDuplicate    = "Ya existe un cliente con ese RUC/cédula"
	msgNameRequired = "El parámetro 'name' es requerido"
	msgQRequired    = "El parámetro 'q' es requerido"
	msgBadPage      = "El parámetro 'page' debe ser un número entero mayor o igual a 1"
	msgEstadoRole   = "Solo un administrador o líder puede cambiar cli_estado"
)

// Config is what the /api/pos/clientes routes need.
type Config struct {
	Store *Store
	// StrictIdentification checks cédula/RUC check digits
	// (CLIENTES_VALIDAR_IDENTIFICACION).
	StrictIdentification bool
}

// Handler serves /api/pos/clientes and /api/pos/ciudades.
type Handler struct {
	Config
	validator *httpapi.Validator
}

// NewHandler builds the handler.
func NewHandler(cfg Config) *Handler {
	return &Handler{Config: cfg, validator: newValidator(cfg.StrictIdentification)}
}

// rd is the family's error shape.
var rd httpapi.Renderer = httpapi.ClientesRenderer{}

// Routes mounts the routes on r: any authenticated role, delete only admin
// and lider. Static segments (/search, /type) win over /{id} in chi.
func (h *Handler) Routes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(rd))
		r.Get("/api/pos/ciudades", httpapi.Handle(rd, h.ciudades))
		r.Route("/api/pos/clientes", func(r chi.Router) {
			r.Get("/", httpapi.Handle(rd, h.list))
			r.Post("/", httpapi.Handle(rd, h.create))
			r.Get("/search", httpapi.Handle(rd, h.search))
			r.Get("/type", httpapi.Handle(rd, h.options))
			r.Get("/{id}", httpapi.Handle(rd, h.get))
			r.Put("/{id}", httpapi.Handle(rd, h.update))
			r.With(auth.Require(rd, role.Admin, role.Lider)).Delete("/{id}", httpapi.Handle(rd, h.delete))
		})
	})
}

func (h *Handler) ciudades(w http.ResponseWriter, r *http.Request) error {
	out, err := h.Store.Ciudades(r.Context())
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	page := 1
	if raw, given := r.URL.Query()["page"]; given {
		n, err := strconv.ParseInt(strings.TrimSpace(raw[0]), 10, 32)
		if err != nil || n < 1 {
			return httpapi.NewError(http.StatusBadRequest, msgBadPage)
		}
		page = int(n)
	}
	rows, total, err := h.Store.List(r.Context(), page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"message": msgListed, "count": len(rows), "data": toJSON(rows),
		"total": total, "page": page, "pages": (total + PageSize - 1) / PageSize,
	})
	return nil
}

func toJSON(rows []Cliente) []JSON {
	out := make([]JSON, len(rows))
	for i, c := range rows {
		out[i] = c.ToJSON()
	}
	return out
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Store.ByCodigo(r.Context(), chi.URLParam(r, "id"))
	if errors.Is(err, ErrNotFound) {
		err = httpapi.NewError(http.StatusNotFound, msgNotFound)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c.ToJSON())
	return nil
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	if _, byName := r.URL.Query()["name"]; !byName && r.URL.Query().Has("q") {
		return h.searchQ(w, r)
	}
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		return httpapi.NewError(http.StatusBadRequest, msgNameRequired)
	}
	rows, err := h.Store.Search(r.Context(), name)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"data": toJSON(rows)})
	return nil
}

// searchQ answers search?q=: a cédula/RUC prefix, a code, a phone number
// or a name, best match first (Store.Lookup). search?name= keeps its own
// rules; a request with both is a name search.
func (h *Handler) searchQ(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		return httpapi.NewError(http.StatusBadRequest, msgQRequired)
	}
	rows, err := h.Store.Lookup(r.Context(), q)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"data": toJSON(rows)})
	return nil
}

// options is every active customer, streamed: a shop with a million
// customers would otherwise hold the whole list in memory per request.
func (h *Handler) options(w http.ResponseWriter, r *http.Request) error {
	return httpapi.StreamList(w, r, "[", "]", func(emit func(any) error) error {
		return h.Store.Options(r.Context(), func(o Option) error { return emit(o) })
	})
}

// decode reads and validates a body; on create the five seed fields are
// required. An unknown ct_codigo is reported in ct_codigo's place (first).
func (h *Handler) decode(r *http.Request, create bool) (Input, error) {
	in := Input{create: create}
	var problems []httpapi.Problem
	if err := h.validator.Bind(r, &in); err != nil {
		e := httpapi.AsError(err)
		if e.Code != httpapi.CodeValidation {
			return in, err
		}
		problems = e.Problems
	}
	if in.CtCodigo != nil && !slices.ContainsFunc(problems, func(p httpapi.Problem) bool { return p.Field == "ct_codigo" }) {
		ok, err := h.Store.CityExists(r.Context(), *in.CtCodigo)
		if err != nil {
			return in, err
		}
		if !ok {
			problems = append([]httpapi.Problem{{Field: "ct_codigo", Rule: "exists", Message: msgCtCodigoUnknown}}, problems...)
		}
	}
	if len(problems) > 0 {
		return in, httpapi.Invalid(problems...)
	}
	return in, nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	in, err := h.decode(r, true)
	if err != nil {
		return err
	}
	c := Cliente{
		CtCodigo: *in.CtCodigo, Nombre: *in.Nombre, RucCed: *in.RucCed, Telefono: *in.Telefono,
		Mail: *in.Mail, Direccion: optional(in.Direccion), Celular: optional(in.Celular),
	}
	if err := h.Store.Create(r.Context(), &c); err != nil {
		return storeError(err, msgNotFound)
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"message": msgCreated, "data": c.ToJSON()})
	return nil
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	in, err := h.decode(r, false)
	if err != nil {
		return err
	}
	c, err := h.Store.Update(r.Context(), chi.URLParam(r, "id"), func(c *Cliente) error {
		// Sending the current estado back is harmless (forms send every
		// field); changing it takes admin or lider.
		if in.Estado != nil && *in.Estado != c.Estado && !mayManage(r.Context()) {
			return &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden, Message: msgEstadoRole}
		}
		apply(c, in)
		return nil
	})
	if err != nil {
		return storeError(err, msgNotFoundPut)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": msgUpdated, "data": c.ToJSON()})
	return nil
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.Store.Delete(r.Context(), chi.URLParam(r, "id")); err != nil {
		return storeError(err, msgNotFound)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": msgDeleted})
	return nil
}

func mayManage(ctx context.Context) bool {
	p, ok := auth.PrincipalFrom(ctx)
	return ok && p.HasRole(role.Admin, role.Lider)
}

// apply copies the given fields of in onto c.
func apply(c *Cliente, in Input) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.CtCodigo, in.CtCodigo)
	set(&c.Nombre, in.Nombre)
	set(&c.RucCed, in.RucCed)
	set(&c.Telefono, in.Telefono)
	set(&c.Mail, in.Mail)
	set(&c.Estado, in.Estado)
	if in.Direccion != nil {
		c.Direccion = optional(in.Direccion)
	}
	if in.Celular != nil {
		c.Celular = optional(in.Celular)
	}
}

// storeError maps the store's errors to answers.
func storeError(err error, notFound string) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return httpapi.NewError(http.StatusNotFound, notFound)
	case errors.Is(err, ErrDuplicate):
		return httpapi.NewError(http.StatusConflict, msgDuplicate)
	case errors.Is(err, ErrUnknownCity):
		// the city vanished between the check and the write
		return httpapi.Validation(msgCtCodigoUnknown)
	}
	return err
}
