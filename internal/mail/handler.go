package mail

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/config"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

var nest = httpapi.NestRenderer{}

// Handler serves POST /mail and GET /mail/{id}.
type Handler struct {
	System *System
	// Public lets POST /mail through without a token (MAIL_PUBLIC); such
	// requests are limited to PublicLimit per client IP.
	Public      bool
	PublicLimit config.Rate
	Validator   *httpapi.Validator // the app's shared one; a new one when nil
}

// Routes mounts the mail routes on r.
func (h *Handler) Routes(r chi.Router) {
	if h.Validator == nil {
		h.Validator = httpapi.NewValidator()
	}
	guard := auth.Require(nest)
	if h.Public {
		limit := httpapi.NewRateLimit(h.PublicLimit.Requests, h.PublicLimit.Per).Middleware(nest)
		guard = func(next http.Handler) http.Handler {
			limited := limit(next)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, ok := auth.PrincipalFrom(r.Context()); ok {
					next.ServeHTTP(w, r) // signed-in callers are not counted
					return
				}
				limited.ServeHTTP(w, r)
			})
		}
	}
	r.With(guard).Post("/mail", h.send)
	r.With(auth.Require(nest, role.Admin)).Get("/mail/{id}", h.get)
}

type sendBody struct {
	Email   string `json:"email" validate:"required,email,max=150,nocontrol"`
	Subject string `json:"subject" validate:"required,notblank,max=200,nocontrol"`
	Message string `json:"message" validate:"required,notblank,max=10000"`
	Name    string `json:"name" validate:"omitempty,max=100,nocontrol"`
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request) {
	var body sendBody
	if err := h.Validator.Bind(r, &body); err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	id, err := h.System.Message(r.Context(), nil, body.Email, body.Name, body.Subject, body.Message, auth.ActorID(r.Context()))
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusAccepted, map[string]any{"message": "Correo en cola de envío", "id": id})
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusBadRequest, "id debe ser un número entero positivo"))
		return
	}
	m, err := h.System.store.Get(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		httpapi.Fail(w, r, nest, httpapi.NewError(http.StatusNotFound, "No existe el correo solicitado"))
		return
	}
	if err != nil {
		httpapi.Fail(w, r, nest, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, m.ToJSON())
}
