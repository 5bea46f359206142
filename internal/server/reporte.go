package server

import "github.com/go-chi/chi/v5"

// mountReportes serves /reportes/* (SPEC §14.3).
func (a *App) mountReportes(r chi.Router) {}
