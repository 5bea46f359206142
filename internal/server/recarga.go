package server

import (
	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/recarga"
)

// mountRecargas serves /recargas/* (SPEC §14.5) and the scope answers of
// §14.7 (/whatsapp/connect).
func (a *App) mountRecargas(r chi.Router) {
	store := recarga.NewStore(a.DB, recarga.TableDrawer{DB: a.DB}, a.Events)
	recarga.NewHandler(store, a.Config.Location).Routes(r)
	mountWhatsApp(r)
}
