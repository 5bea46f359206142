package caja

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/role"
)

// Handler serves /cajas and /ventas (SPEC §13), family Nest, bare answers.
type Handler struct {
	db    *database.DB
	store *Store
	sales *Sales
	v     *httpapi.Validator
	pub   realtime.Publisher
	rd    httpapi.Renderer
	loc   *time.Location
}

// Options wire the handler.
type Options struct {
	Validator *httpapi.Validator
	Publisher realtime.Publisher
	Stock     Stock
	Location  *time.Location // KANTUTA_TZ
}

// NewHandler builds the handler on db.
func NewHandler(db *database.DB, opts Options) *Handler {
	registerRules(opts.Validator)
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	store := NewStore(db)
	h := &Handler{db: db, store: store, v: opts.Validator, pub: opts.Publisher, rd: httpapi.NestRenderer{}, loc: loc}
	h.sales = NewSales(db, store, opts.Stock, opts.Publisher, loc)
	return h
}

// Routes mounts the routes. Every route needs a usuario token; operator
// tokens are refused with 403 like a wrong role (SPEC §13).
func (h *Handler) Routes(r chi.Router) {
	any3 := auth.RequireUsuario(h.rd, role.Admin, role.Lider, role.User)
	admin := auth.Require(h.rd, role.Admin)
	r.Group(func(r chi.Router) {
		r.Use(any3)
		r.Route("/cajas", func(r chi.Router) {
			r.Get("/", httpapi.Handle(h.rd, h.listCajas))
			r.With(admin).Post("/", httpapi.Handle(h.rd, h.createCaja))
			r.Post("/abrir", httpapi.Handle(h.rd, h.abrir))
			r.Post("/movimiento", httpapi.Handle(h.rd, h.movimiento))
			r.Get("/sesion-activa/{id_usuario}", httpapi.Handle(h.rd, h.sesionActiva))
			r.Get("/sesion/{id}/balance", httpapi.Handle(h.rd, h.balance))
			r.Patch("/sesion/{id}/cerrar", httpapi.Handle(h.rd, h.cerrar))
			r.Get("/{id}", httpapi.Handle(h.rd, h.getCaja))
			r.With(admin).Patch("/{id}", httpapi.Handle(h.rd, h.updateCaja))
			r.With(admin).Delete("/{id}", httpapi.Handle(h.rd, h.deleteCaja))
		})
		r.Route("/ventas", func(r chi.Router) {
			r.Get("/", httpapi.Handle(h.rd, h.listVentas))
			r.Post("/", httpapi.Handle(h.rd, h.createVenta))
			r.Post("/reporte-resumen", httpapi.Handle(h.rd, h.reporte))
			r.Get("/{id}", httpapi.Handle(h.rd, h.getVenta))
			r.With(admin).Patch("/{id}", httpapi.Handle(h.rd, h.updateVenta))
			r.With(admin).Delete("/{id}", httpapi.Handle(h.rd, h.deleteVenta))
		})
	})
}

// caller is the usuario acting.
func caller(r *http.Request) auth.Principal {
	p, _ := auth.PrincipalFrom(r.Context())
	return p
}

func isAdmin(p auth.Principal) bool { return p.RoleID == role.Admin }

func notFound(format string, args ...any) error {
	return httpapi.NewError(http.StatusNotFound, fmt.Sprintf(format, args...))
}

func badRequest(format string, args ...any) error {
	return httpapi.NewError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

func conflict(format string, args ...any) error {
	return httpapi.NewError(http.StatusConflict, fmt.Sprintf(format, args...))
}

func forbidden(msg string) error { return httpapi.NewError(http.StatusForbidden, msg) }

// --- cajas ---

func (h *Handler) listCajas(w http.ResponseWriter, r *http.Request) error {
	out, err := h.store.Cajas(r.Context())
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getCaja(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	c, found, err := h.store.Caja(r.Context(), nil, id)
	if err != nil {
		return err
	}
	if !found {
		return notFound("Caja con ID %d no encontrada o inactiva", id)
	}
	if c.Sesiones, err = h.store.SesionesOf(r.Context(), id); err != nil {
		return err
	}
	// Present even when empty: the detail always carries its sessions.
	type withSesiones struct {
		Caja
		Sesiones []Sesion `json:"sesiones"`
	}
	httpapi.WriteJSON(w, http.StatusOK, withSesiones{Caja: c, Sesiones: c.Sesiones})
	return nil
}

func (h *Handler) createCaja(w http.ResponseWriter, r *http.Request) error {
	var body cajaCreateBody
	if err := h.v.Bind(r, &body); err != nil {
		return err
	}
	user := caller(r).UsuarioID()
	var c Caja
	err := h.db.Tx(r.Context(), func(tx *gorm.DB) error {
		t := h.db.Time(database.Now())
		var id int64
		if err := tx.Raw(`INSERT INTO cajas (nombre, especialidad, saldo, id_user_create, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, strings.TrimSpace(*body.Nombre), *body.Especialidad,
			h.db.Money(cents(body.Saldo)), user, t, t).Row().Scan(&id); err != nil {
			return err
		}
		var err error
		if c, _, err = h.store.Caja(r.Context(), tx, id); err != nil {
			return err
		}
		return h.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "creada"})
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, c)
	return nil
}

// lockCaja locks an active caja row. Cajas come last in the lock order,
// and these writes touch no session or product, so locking it first here
// keeps the order.
func (h *Handler) lockCaja(tx *gorm.DB, id int64) (bool, error) {
	lock := ""
	if h.db.IsPostgres() {
		lock = " FOR UPDATE"
	}
	var got int64
	err := tx.Raw("SELECT id FROM cajas WHERE id = ? AND estado"+lock, id).Row().Scan(&got)
	if errors.Is(err, errNoRows) {
		return false, nil
	}
	return err == nil, err
}

// hasOpenSesion reports whether the caja has an open active session.
func hasOpenSesion(tx *gorm.DB, cajaID int64) (bool, error) {
	var n int64
	err := tx.Raw("SELECT COUNT(*) FROM sesiones_caja WHERE id_caja = ? AND estado_sesion = 'ABIERTA' AND estado", cajaID).Row().Scan(&n)
	return n > 0, err
}

func (h *Handler) updateCaja(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	var body cajaUpdateBody
	if err := h.v.Bind(r, &body); err != nil {
		return err
	}
	user := caller(r).UsuarioID()
	var c Caja
	err = h.db.Tx(r.Context(), func(tx *gorm.DB) error {
		found, err := h.lockCaja(tx, id)
		if err != nil {
			return err
		}
		if !found {
			return notFound("Caja con ID %d no encontrada o inactiva", id)
		}
		cur, _, err := h.store.Caja(r.Context(), tx, id)
		if err != nil {
			return err
		}
		sets := []string{"id_user_update = ?", "updated_at = ?"}
		args := []any{user, h.db.Time(database.Now())}
		if body.Nombre != nil {
			sets, args = append(sets, "nombre = ?"), append(args, strings.TrimSpace(*body.Nombre))
		}
		if body.Especialidad != nil {
			sets, args = append(sets, "especialidad = ?"), append(args, *body.Especialidad)
		}
		// The frontend's edit form sends the saldo it loaded: only a
		// different saldo is a change, and one an open session forbids
		// (the drawer's saldo is that session's expected cash).
		if body.Saldo != nil && cents(body.Saldo) != cur.Saldo {
			open, err := hasOpenSesion(tx, id)
			if err != nil {
				return err
			}
			if open {
				return conflict("No se puede modificar el saldo de una caja con sesión abierta")
			}
			sets, args = append(sets, "saldo = ?"), append(args, h.db.Money(cents(body.Saldo)))
		}
		if err := tx.Exec("UPDATE cajas SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, id)...).Error; err != nil {
			return err
		}
		if c, _, err = h.store.Caja(r.Context(), tx, id); err != nil {
			return err
		}
		return h.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "actualizada"})
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) deleteCaja(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	user := caller(r).UsuarioID()
	err = h.db.Tx(r.Context(), func(tx *gorm.DB) error {
		found, err := h.lockCaja(tx, id)
		if err != nil {
			return err
		}
		if !found {
			return notFound("Caja con ID %d no encontrada o inactiva", id)
		}
		open, err := hasOpenSesion(tx, id)
		if err != nil {
			return err
		}
		if open {
			return conflict("La caja tiene una sesión abierta")
		}
		if err := tx.Exec("UPDATE cajas SET estado = FALSE, id_user_update = ?, updated_at = ? WHERE id = ?",
			user, h.db.Time(database.Now()), id).Error; err != nil {
			return err
		}
		return h.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "eliminada"})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// --- sesiones ---

func (h *Handler) abrir(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	var body abrirBody
	bindErr := h.v.Bind(r, &body)
	target := p.UsuarioID()
	if body.IDUsuario != nil && *body.IDUsuario > 0 {
		target = *body.IDUsuario
	}
	// 403 before validation: who may not act learns nothing else.
	if target != p.UsuarioID() && !isAdmin(p) {
		return forbidden("No puede abrir una caja a nombre de otro usuario")
	}
	if bindErr != nil {
		return bindErr
	}
	ctx := r.Context()
	if target != p.UsuarioID() {
		ok, err := h.store.UsuarioActive(ctx, target)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Usuario con id %d no encontrado o inactivo", target)
		}
	}
	cajaID := *body.IDCaja
	var out Sesion
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		if _, found, err := h.store.Caja(ctx, tx, cajaID); err != nil {
			return err
		} else if !found {
			return notFound("Caja con id %d no encontrada o inactiva", cajaID)
		}
		if err := h.openConflict(ctx, tx, target, cajaID); err != nil {
			return err
		}
		t := h.db.Time(database.Now())
		// An admin's monto_inicial is a cash correction that becomes the
		// base and the drawer's saldo; anyone else opens on the saldo.
		var id int64
		if isAdmin(p) && body.MontoInicial != nil {
			m := h.db.Money(cents(body.MontoInicial))
			if err := tx.Raw(`INSERT INTO sesiones_caja (id_caja, id_usuario, monto_inicial, fecha_apertura, id_user_create, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, cajaID, target, m, t, p.UsuarioID(), t, t).Row().Scan(&id); err != nil {
				return err
			}
			if err := tx.Exec("UPDATE cajas SET saldo = ?, updated_at = ? WHERE id = ?", m, t, cajaID).Error; err != nil {
				return err
			}
		} else if err := tx.Raw(`INSERT INTO sesiones_caja (id_caja, id_usuario, monto_inicial, fecha_apertura, id_user_create, created_at, updated_at)
			SELECT id, ?, saldo, ?, ?, ?, ? FROM cajas WHERE id = ? RETURNING id`, target, t, p.UsuarioID(), t, t, cajaID).Row().Scan(&id); err != nil {
			return err
		}
		s, _, err := h.store.Sesion(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = h.store.withCaja(ctx, tx, s); err != nil {
			return err
		}
		return h.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "CAJA_ABIERTA"})
	})
	if database.IsUniqueViolation(err) {
		// A concurrent abrir won the partial unique index: say which one.
		if e := h.openConflict(ctx, nil, target, cajaID); e != nil {
			return e
		}
		return badRequest("La caja ya tiene una sesión abierta")
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// openConflict is the 400 for a usuario or caja that already has an open session.
func (h *Handler) openConflict(ctx context.Context, tx *gorm.DB, usuarioID, cajaID int64) error {
	q := h.store.conn(ctx, tx)
	var byUser, byCaja int64
	if err := q.Raw(`SELECT
		(SELECT COUNT(*) FROM sesiones_caja WHERE id_usuario = ? AND estado_sesion = 'ABIERTA' AND estado),
		(SELECT COUNT(*) FROM sesiones_caja WHERE id_caja = ? AND estado_sesion = 'ABIERTA' AND estado)`,
		usuarioID, cajaID).Row().Scan(&byUser, &byCaja); err != nil {
		return err
	}
	if byUser > 0 {
		return badRequest("El usuario ya cuenta con una caja abierta")
	}
	if byCaja > 0 {
		return badRequest("La caja ya tiene una sesión abierta")
	}
	return nil
}

func (h *Handler) sesionActiva(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id_usuario")
	if err != nil {
		return err
	}
	p := caller(r)
	if !p.IsUsuario(id) && !isAdmin(p) {
		return forbidden("No puede consultar la sesión de otro usuario")
	}
	s, found, err := h.store.OpenSesionOf(r.Context(), nil, id)
	if err != nil {
		return err
	}
	if !found {
		return notFound("No hay sesión activa para el usuario %d", id)
	}
	if s, err = h.store.withCaja(r.Context(), nil, s); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) balance(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	s, found, err := h.store.Sesion(r.Context(), nil, id)
	if err != nil {
		return err
	}
	if !found || !s.Estado {
		return notFound("Sesión de caja con ID %d no encontrada o inactiva", id)
	}
	var c money.Cents
	if s.EstadoSesion == Cerrada && s.MontoFinalTeorico != nil {
		c = *s.MontoFinalTeorico
	} else if c, err = h.store.ExpectedCash(r.Context(), nil, id); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c) // a bare "119.00": the header does Number(data)
	return nil
}

func (h *Handler) cerrar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	p := caller(r)
	ctx := r.Context()
	var body cerrarBody
	bindErr := h.v.Bind(r, &body)
	s, found, err := h.store.Sesion(ctx, nil, id)
	if err != nil {
		return err
	}
	if found && s.Estado && !p.IsUsuario(s.IDUsuario) && !isAdmin(p) {
		return forbidden("No puede cerrar la sesión de caja de otro usuario")
	}
	if bindErr != nil {
		return bindErr
	}
	if !found || !s.Estado {
		return notFound("Sesión con ID %d no encontrada o inactiva", id)
	}
	counted := cents(body.MontoFinalReal)
	var out Sesion
	err = h.db.Tx(ctx, func(tx *gorm.DB) error {
		ls, _, err := h.store.drawer.lockSession(tx, id)
		if err != nil {
			return err
		}
		if ls.EstadoSesion != Abierta {
			return badRequest("La sesión ya está cerrada")
		}
		// Under the session lock no venta or movimiento of it can commit:
		// the teórico is exactly what committed before the close.
		teorico, err := h.store.ExpectedCash(ctx, tx, id)
		if err != nil {
			return err
		}
		t := h.db.Time(database.Now())
		if err := tx.Exec(`UPDATE sesiones_caja SET monto_final_teorico = ?, monto_final_real = ?, diferencia = ?,
			estado_sesion = 'CERRADA', fecha_cierre = ?, id_user_update = ?, updated_at = ? WHERE id = ?`,
			h.db.Money(teorico), h.db.Money(counted), h.db.Money(counted-teorico), t, p.UsuarioID(), t, id).Error; err != nil {
			return err
		}
		// The counted cash is the next shift's base.
		if err := tx.Exec("UPDATE cajas SET saldo = ?, updated_at = ? WHERE id = ?", h.db.Money(counted), t, ls.IDCaja).Error; err != nil {
			return err
		}
		if out, _, err = h.store.Sesion(ctx, tx, id); err != nil {
			return err
		}
		return h.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "CAJA_CERRADA"})
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) movimiento(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	ctx := r.Context()
	var body movimientoBody
	bindErr := h.v.Bind(r, &body)
	var s Sesion
	found := false
	if body.IDSesionCaja != nil && *body.IDSesionCaja > 0 {
		var err error
		if s, found, err = h.store.Sesion(ctx, nil, *body.IDSesionCaja); err != nil {
			return err
		}
		if found && s.Estado && !p.IsUsuario(s.IDUsuario) && !isAdmin(p) {
			return forbidden("La sesión de caja pertenece a otro usuario")
		}
	}
	if bindErr != nil {
		return bindErr
	}
	sid := *body.IDSesionCaja
	monto := cents(body.Monto)
	motivo := strings.TrimSpace(*body.Motivo)
	var out Movimiento
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := h.store.drawer.LockSession(tx, sid); err != nil {
			return err
		}
		var id int64
		var err error
		if *body.Tipo == Ingreso {
			id, err = h.store.drawer.Deposit(tx, sid, monto, motivo, OrigenManual, p.UsuarioID())
		} else {
			id, err = h.store.drawer.Withdraw(tx, sid, monto, motivo, OrigenManual, p.UsuarioID())
		}
		if err != nil {
			return err
		}
		if out, err = h.store.Movimiento(ctx, tx, id); err != nil {
			return err
		}
		return h.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "saldo_actualizado"})
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}
