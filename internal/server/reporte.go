package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/reporte"
)

// mountReportes serves /reportes/* (SPEC §14.3): reads only.
func (a *App) mountReportes(r chi.Router) {
	reporte.NewHandler(reporte.NewStore(a.DB, a.Config.ReportMaxRows), a.Config.Location, a.Bus).Routes(r)
}
