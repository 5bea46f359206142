package reporte

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/role"
)

// Handler serves /reportes/* (SPEC §14.3), family Nest.
type Handler struct {
	store *Store
	loc   *time.Location
	now   func() time.Time
	rd    httpapi.Renderer
	cache *dashCache
}

// DashboardTTL bounds how long a cached part of the dashboard may be served
// when no event announced a change (see cache.go).
const DashboardTTL = 10 * time.Second

// NewHandler builds the handler; loc is KANTUTA_TZ; events (the realtime
// bus, may be nil) invalidate the dashboard cache.
func NewHandler(store *Store, loc *time.Location, events Events) *Handler {
	return &Handler{store: store, loc: loc, now: time.Now, rd: httpapi.NestRenderer{}, cache: newDashCache(DashboardTTL, events)}
}

// Routes mounts the reports: usuario tokens only; the dashboard, ticket
// and product sheet for any role, the range reports for admin (the
// frontend's gates, App.tsx:117), cash reports for admin and lider (a
// cashier: her own sessions' movements).
func (h *Handler) Routes(r chi.Router) {
	any3 := auth.Require(h.rd, role.Admin, role.Lider, role.User)
	admin := auth.Require(h.rd, role.Admin)
	lider := auth.Require(h.rd, role.Admin, role.Lider)
	r.Group(func(r chi.Router) {
		r.Use(any3, h.usuariosOnly)
		r.Get("/reportes/dashboard-stats", httpapi.Handle(h.rd, h.dashboard))
		r.With(admin).Get("/reportes/data/ventas-rango", httpapi.Handle(h.rd, h.ventasRango))
		r.With(admin).Get("/reportes/data/compras-rango", httpapi.Handle(h.rd, h.comprasRango))
		r.With(admin).Get("/reportes/data/inventario", httpapi.Handle(h.rd, h.inventario))
		r.With(admin).Get("/reportes/data/productividad-operador", httpapi.Handle(h.rd, h.productividad))
		r.Get("/reportes/data/movimientos-caja/{idSesion}", httpapi.Handle(h.rd, h.movimientosCaja))
		r.With(lider).Get("/reportes/data/caja-historial/{id}", httpapi.Handle(h.rd, h.cajaHistorial))
		r.Get("/reportes/data/venta/{id}", httpapi.Handle(h.rd, h.venta))
		r.Get("/reportes/data/producto/{id}", httpapi.Handle(h.rd, h.producto))
	})
}

// usuariosOnly refuses operator (PIN) tokens: the POS is for usuarios.
func (h *Handler) usuariosOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := auth.PrincipalFrom(r.Context()); !ok || p.Kind != auth.KindUsuario {
			h.rd.RenderError(w, r, &httpapi.Error{Status: http.StatusForbidden, Code: httpapi.CodeForbidden})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func caller(r *http.Request) auth.Principal {
	p, _ := auth.PrincipalFrom(r.Context())
	return p
}

// today is the local business day now.
func (h *Handler) today() Day { return LocalDay(h.now().In(h.loc), h.loc) }

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) error {
	today := h.today()
	anio := today.Start.Year()
	if v := r.URL.Query().Get("anio"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			return httpapi.Validation("anio debe ser un año entre 2000 y 2100")
		}
		anio = n
	}
	out, err := h.cache.dashboard(r.Context(), h.store, anio, today)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// rango reads fechaInicio and fechaFin (local days, fin inclusive) as
// SPEC §14.2 words it, every failure at once.
type rango struct {
	d0, d1 Day
	i, f   string
}

func (h *Handler) rango(r *http.Request) (rango, error) {
	q := r.URL.Query()
	var out rango
	var msgs []string
	var t0, t1 time.Time
	var ok0, ok1 bool
	for _, p := range []struct {
		name string
		t    *time.Time
		ok   *bool
		raw  *string
	}{{"fechaInicio", &t0, &ok0, &out.i}, {"fechaFin", &t1, &ok1, &out.f}} {
		v := q.Get(p.name)
		*p.raw = v
		if v == "" {
			msgs = append(msgs, p.name+" es obligatorio")
			continue
		}
		if *p.t, *p.ok = parseDay(v); !*p.ok {
			msgs = append(msgs, p.name+" debe ser una fecha válida (YYYY-MM-DD)")
		}
	}
	if ok0 && ok1 && t0.After(t1) {
		msgs = append(msgs, "La fecha de inicio no puede ser mayor a la fecha de fin")
	}
	if len(msgs) > 0 {
		return out, httpapi.Validation(msgs...)
	}
	out.d0, out.d1 = LocalDay(t0, h.loc), LocalDay(t1, h.loc)
	return out, nil
}

// parseDay accepts exactly YYYY-MM-DD, a real date.
func parseDay(v string) (time.Time, bool) {
	if len(v) != len(time.DateOnly) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v)
	return t, err == nil
}

func (h *Handler) auditor(r *http.Request) (string, error) {
	return h.store.UsuarioName(r.Context(), caller(r).UsuarioID())
}

func (h *Handler) ventasRango(w http.ResponseWriter, r *http.Request) error {
	rg, err := h.rango(r)
	if err != nil {
		return err
	}
	aud, err := h.auditor(r)
	if err != nil {
		return err
	}
	tot, rows, trunc, err := h.store.VentasRango(r.Context(), rg.d0, rg.d1)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, VentasRango{FechaInicio: rg.i, FechaFin: rg.f, Auditor: aud,
		FechaEmision: httpapi.Time(h.now()), Totales: tot, Ventas: rows, Truncado: trunc})
	return nil
}

func (h *Handler) comprasRango(w http.ResponseWriter, r *http.Request) error {
	rg, err := h.rango(r)
	if err != nil {
		return err
	}
	aud, err := h.auditor(r)
	if err != nil {
		return err
	}
	rows, total, trunc, err := h.store.ComprasRango(r.Context(), rg.d0.Start, rg.d1.End)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, ComprasRango{FechaInicio: rg.i, FechaFin: rg.f, Auditor: aud,
		FechaEmision: httpapi.Time(h.now()), Compras: rows, TotalInvertido: money.Number(total), Truncado: trunc})
	return nil
}

func (h *Handler) inventario(w http.ResponseWriter, r *http.Request) error {
	aud, err := h.auditor(r)
	if err != nil {
		return err
	}
	rows, res, trunc, err := h.store.Inventario(r.Context())
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, Inventario{FechaCorte: httpapi.Time(h.now()), Auditor: aud, Productos: rows,
		Resumen: res, Truncado: trunc})
	return nil
}

func (h *Handler) productividad(w http.ResponseWriter, r *http.Request) error {
	rg, rerr := h.rango(r)
	var op int64
	if v := r.URL.Query().Get("operadorId"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			msg := "operadorId debe ser un número entero positivo"
			if rerr != nil {
				return httpapi.Validation(append(httpapi.AsError(rerr).Messages, msg)...)
			}
			return httpapi.Validation(msg)
		}
		op = n
	}
	if rerr != nil {
		return rerr
	}
	rows, err := h.store.Productividad(r.Context(), rg.d0.Key, rg.d1.Key, op)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, Productividad{FechaInicio: rg.i, FechaFin: rg.f, FechaEmision: httpapi.Time(h.now()),
		Operadores: rows})
	return nil
}

func (h *Handler) movimientosCaja(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "idSesion")
	if err != nil {
		return idErr(err)
	}
	p := caller(r)
	if p.RoleID != role.Admin && p.RoleID != role.Lider {
		// A cashier reads her own sessions only; she learns nothing about
		// the others, not even whether they exist (403 before 404).
		owner, ok, err := h.store.SesionOwner(r.Context(), id)
		if err != nil {
			return err
		}
		if !ok || owner != p.UsuarioID() {
			return httpapi.NewError(http.StatusForbidden, "Forbidden resource")
		}
	}
	out, ok, err := h.store.MovCaja(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		return httpapi.NewError(http.StatusNotFound, fmt.Sprintf("Sesión de caja con ID %d no encontrada", id))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) cajaHistorial(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	out, ok, err := h.store.CajaHistorial(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		return httpapi.NewError(http.StatusNotFound, fmt.Sprintf("Caja con ID %d no encontrada", id))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) venta(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	out, ok, err := h.store.Ticket(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		return httpapi.NewError(http.StatusNotFound, fmt.Sprintf("Venta con ID %d no encontrada", id))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) producto(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	out, ok, err := h.store.Ficha(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		return httpapi.NewError(http.StatusNotFound, fmt.Sprintf("Producto con ID %d no encontrado", id))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// idErr words a bad :idSesion as the other routes' "id …" (SPEC §14.2).
func idErr(err error) error {
	var e *httpapi.Error
	if errors.As(err, &e) {
		return httpapi.NewError(http.StatusBadRequest, "id debe ser un número entero positivo")
	}
	return err
}
