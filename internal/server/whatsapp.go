package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
)

// msgWhatsApp is the answer of GET /whatsapp/connect (SPEC §14.7): the
// integration is not served in this phase. A 503, not a 401, so the
// frontend shows "Error de conexión al servidor de WhatsApp." and keeps the
// user signed in. Every other /whatsapp/* path is a plain 404, and so are
// the AI assistant and agentes routes: none is mounted.
const msgWhatsApp = "La integración con WhatsApp no está habilitada en este servidor"

func mountWhatsApp(r chi.Router) {
	r.With(auth.RequireUsuario(nest, role.Admin, role.Lider, role.User)).
		Get("/whatsapp/connect", httpapi.Handle(nest, func(w http.ResponseWriter, r *http.Request) error {
			// Rendered here, not returned: an expected answer, so no
			// "request failed" line with a cause at every visit.
			nest.RenderError(w, r, httpapi.NewError(http.StatusServiceUnavailable, msgWhatsApp))
			return nil
		}))
}
