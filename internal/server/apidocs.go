package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/api"
	"github.com/kantuta/kantuta/internal/apidocs"
	"github.com/kantuta/kantuta/internal/httpapi"
)

// mountAPIDocs wires GET /openapi.yaml, the interactive page at /docs (its
// files under /docs/{asset}) and the old Swagger address /api → /docs.
func (a *App) mountAPIDocs(r chi.Router) {
	h := apidocs.New(api.Spec)
	r.Get("/openapi.yaml", h.Spec)
	r.Get("/docs", h.Page)
	r.Get("/docs/{asset}", func(w http.ResponseWriter, r *http.Request) {
		if !h.Asset(w, r, chi.URLParam(r, "asset")) {
			nest.RenderError(w, r, &httpapi.Error{Status: http.StatusNotFound, Code: httpapi.CodeNotFound,
				Message: "Cannot GET " + r.URL.Path})
		}
	})
	r.Get("/api", h.Redirect)
}
