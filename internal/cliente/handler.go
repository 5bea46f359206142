package cliente

import (
	"context"
	"errors"
	"net/http"
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

// Options configure the handler.
type Options struct {
	// StrictIdentification checks cédula/RUC check digits
	// (CLIENTES_VALIDAR_IDENTIFICACION).
	StrictIdentification bool
}

// Handler serves /api/pos/clientes and /api/pos/ciudades.
type Handler struct {
	store *Store
	opts  Options
	rd    httpapi.Renderer
}

// NewHandler builds the handler on store.
func NewHandler(store *Store, opts Options) *Handler {
	return &Handler{store: store, opts: opts, rd: httpapi.ClientesRenderer{}}
}

// Routes mounts the routes on r: any authenticated role, delete only admin
// and lider. Static segments (/search, /type) win over /{id} in chi.
func (h *Handler) Routes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(h.rd))
		r.Get("/api/pos/ciudades", h.ciudades)
		r.Route("/api/pos/clientes", func(r chi.Router) {
			r.Get("/", h.list)
			r.Post("/", h.create)
			r.Get("/search", h.search)
			r.Get("/type", h.options)
			r.Get("/{id}", h.get)
			r.Put("/{id}", h.update)
			r.With(auth.Require(h.rd, role.Admin, role.Lider)).Delete("/{id}", h.delete)
		})
	})
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.Fail(w, r, h.rd, err)
}

func (h *Handler) ciudades(w http.ResponseWriter, r *http.Request) {
	out, err := h.store.Ciudades(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	page := 1
	if raw, given := r.URL.Query()["page"]; given {
		n, err := strconv.ParseInt(strings.TrimSpace(raw[0]), 10, 32)
		if err != nil || n < 1 {
			h.fail(w, r, httpapi.NewError(http.StatusBadRequest, msgBadPage))
			return
		}
		page = int(n)
	}
	rows, total, err := h.store.List(r.Context(), page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"message": msgListed, "count": len(rows), "data": toJSON(rows),
		"total": total, "page": page, "pages": (total + PageSize - 1) / PageSize,
	})
}

func toJSON(rows []Cliente) []JSON {
	out := make([]JSON, len(rows))
	for i, c := range rows {
		out[i] = c.ToJSON()
	}
	return out
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	c, err := h.store.ByCodigo(r.Context(), chi.URLParam(r, "id"))
	if errors.Is(err, ErrNotFound) {
		err = httpapi.NewError(http.StatusNotFound, msgNotFound)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, c.ToJSON())
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	if _, byName := r.URL.Query()["name"]; !byName && r.URL.Query().Has("q") {
		httpapi.Handle(h.rd, h.searchQ)(w, r)
		return
	}
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		h.fail(w, r, httpapi.NewError(http.StatusBadRequest, msgNameRequired))
		return
	}
	rows, err := h.store.Search(r.Context(), name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"data": toJSON(rows)})
}

// searchQ answers search?q=: a cédula/RUC prefix, a code, a phone number
// or a name, best match first (Store.Lookup). search?name= keeps its own
// rules; a request with both is a name search.
func (h *Handler) searchQ(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		return httpapi.NewError(http.StatusBadRequest, msgQRequired)
	}
	rows, err := h.store.Lookup(r.Context(), q)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"data": toJSON(rows)})
	return nil
}

// options is every active customer, streamed: a shop with a million
// customers would otherwise hold the whole list in memory per request.
func (h *Handler) options(w http.ResponseWriter, r *http.Request) {
	httpapi.StreamList(w, r, h.rd, "[", "]", func(emit func(any) error) error {
		return h.store.Options(r.Context(), func(o Option) error { return emit(o) })
	})
}

// decode reads and validates a body; on create the five seed fields are
// required. An unknown ct_codigo is reported in ct_codigo's place (first).
func (h *Handler) decode(r *http.Request, create bool) (Input, error) {
	var in Input
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return in, err
	}
	in.trim()
	msgs := validate(in, create, h.opts.StrictIdentification)
	if in.CtCodigo != nil && textOK(in.CtCodigo, 10) {
		ok, err := h.store.CityExists(r.Context(), *in.CtCodigo)
		if err != nil {
			return in, err
		}
		if !ok {
			msgs = append([]string{msgCtCodigoUnknown}, msgs...)
		}
	}
	if len(msgs) > 0 {
		return in, httpapi.Validation(msgs...)
	}
	return in, nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	in, err := h.decode(r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := Cliente{
		CtCodigo: *in.CtCodigo, Nombre: *in.Nombre, RucCed: *in.RucCed, Telefono: *in.Telefono,
		Mail: *in.Mail, Direccion: optional(in.Direccion), Celular: optional(in.Celular),
	}
	if err := h.store.Create(r.Context(), &c); err != nil {
		h.fail(w, r, storeError(err, msgNotFound))
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"message": msgCreated, "data": c.ToJSON()})
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	in, err := h.decode(r, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.store.Update(r.Context(), chi.URLParam(r, "id"), func(c *Cliente) error {
		// Sending the current estado back is harmless (forms send every
		// field); changing it takes admin or lider.
		if in.Estado != nil && *in.Estado != c.Estado && !mayManage(r.Context()) {
			return &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden, Message: msgEstadoRole}
		}
		apply(c, in)
		return nil
	})
	if err != nil {
		h.fail(w, r, storeError(err, msgNotFoundPut))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": msgUpdated, "data": c.ToJSON()})
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	if err := h.store.Delete(r.Context(), chi.URLParam(r, "id")); err != nil {
		h.fail(w, r, storeError(err, msgNotFound))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"message": msgDeleted})
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
