package mail

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-playground/validator/v10"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/config"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

var nest = httpapi.NestRenderer{}

// Handler serves POST /mail and GET /mail/{id}.
//
// POST /mail sends as the shop (SMTP_FROM), so it is for admins and
// líderes only, each limited to AccountLimit mails per window: a cashier's
// or a self-registered account's token must not make the shop a phishing
// relay (issue 14). With Public (MAIL_PUBLIC) anyone may send without a
// token, limited to PublicLimit per client IP; a signed-in caller without
// those roles is then treated like an anonymous one (a token never gives
// less than none, nor skips the per-IP limit).
type Handler struct {
	System       *System
	Public       bool
	PublicLimit  config.Rate
	AccountLimit config.Rate        // MAIL_RATE_LIMIT; zero: 30 an hour
	Validator    *httpapi.Validator // the app's shared one; a new one when nil
}

// Routes mounts the mail routes on r.
func (h *Handler) Routes(r chi.Router) {
	if h.Validator == nil {
		h.Validator = httpapi.NewValidator()
	}
	registerRules(h.Validator)
	r.With(h.sendGuard()).Post("/mail", h.send)
	r.With(auth.Require(nest, role.Admin)).Get("/mail/{id}", h.get)
}

// sendGuard decides who may queue a mail and counts them: admins and
// líderes per account, anonymous callers (MAIL_PUBLIC) per client IP.
func (h *Handler) sendGuard() func(http.Handler) http.Handler {
	perAccount := h.AccountLimit
	if perAccount.Requests <= 0 || perAccount.Per <= 0 {
		perAccount = config.Rate{Requests: 30, Per: time.Hour}
	}
	accounts := httpapi.NewRateLimit(perAccount.Requests, perAccount.Per)
	staff := auth.Require(nest, role.Admin, role.Lider)
	var public func(http.Handler) http.Handler
	if h.Public {
		public = httpapi.NewRateLimit(h.PublicLimit.Requests, h.PublicLimit.Per).Middleware(nest)
	}
	return func(next http.Handler) http.Handler {
		guarded := staff(next)
		var limited http.Handler
		if public != nil {
			limited = public(next)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := auth.PrincipalFrom(r.Context())
			switch {
			case ok && p.HasRole(role.Admin, role.Lider):
				if allowed, _ := accounts.AllowKey(w, r, string(p.Kind)+":"+p.ID); !allowed {
					nest.RenderError(w, r, &httpapi.Error{Status: http.StatusTooManyRequests, Code: httpapi.CodeRateLimited})
					return
				}
				next.ServeHTTP(w, r)
			case limited != nil:
				limited.ServeHTTP(w, r)
			default:
				guarded.ServeHTTP(w, r) // 401 without a token, 403 without the role
			}
		})
	}
}

// registerRules adds the mail package's validation tags to v.
func registerRules(v *httpapi.Validator) {
	v.Rule("displayname", func(fl validator.FieldLevel) bool {
		return !strings.ContainsAny(fl.Field().String(), displayNameForbidden)
	}, "%[1]s no debe contener comillas, <, >, @, comas ni barras invertidas")
}

// displayNameForbidden are the characters that end or restructure a
// display name in a To: header ("Name" <addr>, a, b): refused rather than
// accepted and failing at delivery.
const displayNameForbidden = "\"<>@,\\"

type sendBody struct {
	Email   string `json:"email" validate:"required,email,max=150,nocontrol"`
	Subject string `json:"subject" validate:"required,notblank,max=200,nocontrol"`
	Message string `json:"message" validate:"required,notblank,max=10000"`
	Name    string `json:"name" validate:"omitempty,max=100,nocontrol,displayname"`
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
