package mail

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

var nest = httpapi.NestRenderer{}

// Config is what the mail routes need.
type Config struct {
	System    *System
	Validator *httpapi.Validator
	// Public lets POST /mail through without a token (MAIL_PUBLIC); such
	// requests are limited per client IP by PublicLimit.
	Public      bool
	PublicLimit *httpapi.RateLimit
}

// Handler serves POST /mail and GET /mail/{id}.
type Handler struct{ cfg Config }

// NewHandler builds the handler.
func NewHandler(cfg Config) *Handler { return &Handler{cfg: cfg} }

// Routes mounts the mail routes on r.
func (h *Handler) Routes(r chi.Router) {
	guard := auth.Require(nest)
	if h.cfg.Public {
		limit := h.cfg.PublicLimit.Middleware(nest)
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
	r.With(guard).Post("/mail", httpapi.Handle(nest, h.send))
	r.With(auth.Require(nest, role.Admin)).Get("/mail/{id}", httpapi.Handle(nest, h.get))
}

type sendBody struct {
	Email   string `json:"email" validate:"required,email,max=150,nocontrol"`
	Subject string `json:"subject" validate:"required,notblank,max=200,nocontrol"`
	Message string `json:"message" validate:"required,notblank,max=10000"`
	Name    string `json:"name" validate:"omitempty,max=100,nocontrol"`
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request) error {
	var body sendBody
	if err := h.cfg.Validator.Bind(r, &body); err != nil {
		return err
	}
	id, err := h.cfg.System.Message(r.Context(), nil, body.Email, body.Name, body.Subject, body.Message, auth.ActorID(r.Context()))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusAccepted, map[string]any{"message": "Correo en cola de envío", "id": id})
	return nil
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := h.cfg.System.store.Get(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return httpapi.NewError(http.StatusNotFound, "No existe el correo solicitado")
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, m.ToJSON())
	return nil
}
