package recarga

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-playground/validator/v10"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/role"
)

// Handler serves /recargas/* (SPEC §14.5), family Nest.
type Handler struct {
	store *Store
	val   *httpapi.Validator
	loc   *time.Location
	rd    httpapi.Renderer
}

// NewHandler builds the handler; loc is KANTUTA_TZ, the zone of the
// history filters' local days.
func NewHandler(store *Store, loc *time.Location) *Handler {
	return &Handler{store: store, val: newValidator(), loc: loc, rd: httpapi.NestRenderer{}}
}

// positiveID is a session id in a body: a wrong JSON type reads as the
// same message as a non-positive one.
type positiveID int64

func (positiveID) JSONKind() string { return "un número entero positivo" }

type recargaBody struct {
	Operadora     string       `json:"operadora" validate:"oneof=Tigo Entel Viva"`
	NumeroCliente string       `json:"numero_cliente" validate:"digits8"`
	Monto         money.Amount `json:"monto" validate:"required,dec2,mmin=0.10,tope=1000000"`
	IDCajaSesion  positiveID   `json:"id_caja_sesion" validate:"gt=0"`
}

type inyeccionBody struct {
	OperadoraDestino string       `json:"operadora_destino" validate:"oneof=Tigo Entel Viva"`
	Monto            money.Amount `json:"monto" validate:"required,dec2,mmin=1,tope=1000000"`
	IDCajaSesion     positiveID   `json:"id_caja_sesion" validate:"gt=0"`
}

type comisionBody struct {
	ComisionPorcentaje money.Amount `json:"comision_porcentaje" validate:"required,dec2,mmin=0,tope=100"`
}

var eightDigits = regexp.MustCompile(`^[0-9]{8}$`)

// newValidator has §14.5's wording, which differs from the shared money
// messages ("a lo sumo", "no puede superar"), hence its own instance.
func newValidator() *httpapi.Validator {
	v := httpapi.NewValidator()
	v.Rule("digits8", func(fl validator.FieldLevel) bool { return eightDigits.MatchString(fl.Field().String()) },
		"%[1]s debe tener 8 dígitos")
	v.Rule("dec2", func(fl validator.FieldLevel) bool {
		_, err := money.Parse(fl.Field().String())
		return err != money.ErrDecimals
	}, "%[1]s debe tener a lo sumo 2 decimales")
	v.Rule("tope", func(fl validator.FieldLevel) bool {
		c, err := money.Parse(fl.Field().String())
		if err == money.ErrDecimals {
			return true // dec2 says it
		}
		limit, _ := money.Parse(fl.Param())
		return err == nil && c <= limit
	}, "%[1]s no puede superar %[2]s")
	v.Message("monto.required", "monto debe ser un número")
	v.Message("comision_porcentaje.required", "comision_porcentaje debe ser un número")
	v.Message("id_caja_sesion.gt", "id_caja_sesion debe ser un número entero positivo")
	return v
}

// Routes mounts /recargas/*: usuario tokens of any role; the commission
// only for admin. Full paths (no subrouter) so an unknown /recargas/… is a
// plain 404 "Cannot POST /recargas/transaccion" (the legacy routes, §14.5).
func (h *Handler) Routes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.RequireUsuario(h.rd, role.Admin, role.Lider, role.User))
		r.Get("/recargas/operadoras/saldos", httpapi.Handle(h.rd, h.operadoras))
		r.With(auth.Require(h.rd, role.Admin)).Patch("/recargas/operadoras/{id}", httpapi.Handle(h.rd, h.comision))
		r.Post("/recargas/cliente", httpapi.Handle(h.rd, h.recargar))
		r.Post("/recargas/inyeccion", httpapi.Handle(h.rd, h.inyectar))
		r.Get("/recargas/historial/clientes", httpapi.Handle(h.rd, h.historialClientes))
		r.Get("/recargas/historial/inyecciones", httpapi.Handle(h.rd, h.historialInyecciones))
	})
}

func caller(r *http.Request) Caller {
	p, _ := auth.PrincipalFrom(r.Context())
	return Caller{UsuarioID: p.UsuarioID(), Admin: p.RoleID == role.Admin}
}

func (h *Handler) operadoras(w http.ResponseWriter, r *http.Request) error {
	out, err := h.store.Operadoras(r.Context())
	if err != nil {
		return err
	}
	views := make([]operadoraJSON, len(out))
	for i, o := range out {
		views[i] = operadoraView(o)
	}
	httpapi.WriteJSON(w, http.StatusOK, views)
	return nil
}

func (h *Handler) comision(w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id")
	if err != nil {
		return err
	}
	var body comisionBody
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	pct, _ := body.ComisionPorcentaje.Cents()
	o, found, err := h.store.SetComision(r.Context(), id, pct, caller(r).UsuarioID)
	if err != nil {
		return err
	}
	if !found {
		return httpapi.NewError(http.StatusNotFound, "Operadora con ID "+strconv.FormatInt(id, 10)+" no encontrada")
	}
	httpapi.WriteJSON(w, http.StatusOK, operadoraView(o))
	return nil
}

func (h *Handler) recargar(w http.ResponseWriter, r *http.Request) error {
	var body recargaBody
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	m, _ := body.Monto.Cents()
	out, err := h.store.Recargar(r.Context(), RecargaInput{Operadora: body.Operadora, NumeroCliente: body.NumeroCliente,
		Monto: m, SesionID: int64(body.IDCajaSesion)}, caller(r))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, recargaView(out, false))
	return nil
}

func (h *Handler) inyectar(w http.ResponseWriter, r *http.Request) error {
	var body inyeccionBody
	if err := h.val.Bind(r, &body); err != nil {
		return err
	}
	m, _ := body.Monto.Cents()
	out, err := h.store.Inyectar(r.Context(), InyeccionInput{Operadora: body.OperadoraDestino, Monto: m,
		SesionID: int64(body.IDCajaSesion)}, caller(r))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, inyeccionView(out, false))
	return nil
}

// filter reads the history's query: desde/hasta local days (hasta
// inclusive), operadora, id_caja_sesion, limit 1–1000 (500), page ≥ 1.
// Cashiers (role 3) see only their own sessions' rows.
func (h *Handler) filter(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Limit: 500}
	var msgs []string
	var d0, d1 time.Time
	if v := q.Get("desde"); v != "" {
		if d, ok := httpapi.ParseDate(v); ok {
			d0 = d
			t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, h.loc)
			f.Desde = &t
		} else {
			msgs = append(msgs, "desde debe ser una fecha válida (YYYY-MM-DD)")
		}
	}
	if v := q.Get("hasta"); v != "" {
		if d, ok := httpapi.ParseDate(v); ok {
			d1 = d
			t := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, h.loc)
			f.Hasta = &t
		} else {
			msgs = append(msgs, "hasta debe ser una fecha válida (YYYY-MM-DD)")
		}
	}
	if f.Desde != nil && f.Hasta != nil && d0.After(d1) {
		msgs = append(msgs, "La fecha de inicio no puede ser mayor a la fecha de fin")
	}
	if v := q.Get("operadora"); v != "" {
		if !isOperadora(v) {
			msgs = append(msgs, "operadora debe ser uno de: "+strings.Join(Operadoras, ", "))
		}
		f.Operadora = v
	}
	if v := q.Get("id_caja_sesion"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			msgs = append(msgs, "id_caja_sesion debe ser un número entero positivo")
		}
		f.SesionID = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			msgs = append(msgs, "limit debe ser un número entero entre 1 y 1000")
		}
		f.Limit = n
	}
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			msgs = append(msgs, "page debe ser un número entero positivo")
		}
		page = n
	}
	if len(msgs) > 0 {
		return f, httpapi.Validation(msgs...)
	}
	f.Offset = (page - 1) * f.Limit
	if p, _ := auth.PrincipalFrom(r.Context()); p.RoleID != role.Admin && p.RoleID != role.Lider {
		f.OwnerID = p.UsuarioID()
	}
	return f, nil
}

func isOperadora(v string) bool {
	for _, o := range Operadoras {
		if o == v {
			return true
		}
	}
	return false
}

func (h *Handler) historialClientes(w http.ResponseWriter, r *http.Request) error {
	f, err := h.filter(r)
	if err != nil {
		return err
	}
	rows, err := h.store.HistorialRecargas(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]recargaJSON, len(rows))
	for i, v := range rows {
		out[i] = recargaView(v, true)
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) historialInyecciones(w http.ResponseWriter, r *http.Request) error {
	f, err := h.filter(r)
	if err != nil {
		return err
	}
	rows, err := h.store.HistorialInyecciones(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]inyeccionJSON, len(rows))
	for i, v := range rows {
		out[i] = inyeccionView(v, true)
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// --- JSON ---

type auditJSON struct {
	Estado       bool         `json:"estado"`
	IDUserCreate *int64       `json:"id_user_create"`
	IDUserUpdate *int64       `json:"id_user_update"`
	CreatedAt    httpapi.Time `json:"created_at"`
	UpdatedAt    httpapi.Time `json:"updated_at"`
}

func auditView(a Audit) auditJSON {
	return auditJSON{Estado: a.Estado, IDUserCreate: a.IDUserCreate, IDUserUpdate: a.IDUserUpdate,
		CreatedAt: httpapi.Time(a.CreatedAt.Time()), UpdatedAt: httpapi.Time(a.UpdatedAt.Time())}
}

type operadoraJSON struct {
	ID                 int64       `json:"id"`
	NombreOperadora    string      `json:"nombre_operadora"`
	SaldoActual        money.Cents `json:"saldo_actual"`
	ComisionPorcentaje money.Cents `json:"comision_porcentaje"`
	auditJSON
}

func operadoraView(o Operadora) operadoraJSON {
	return operadoraJSON{ID: o.ID, NombreOperadora: o.NombreOperadora, SaldoActual: o.SaldoActual,
		ComisionPorcentaje: o.ComisionPorcentaje, auditJSON: auditView(o.Audit)}
}

type recargaJSON struct {
	ID               int64        `json:"id"`
	Operadora        string       `json:"operadora"`
	NumeroCliente    string       `json:"numero_cliente"`
	Monto            money.Cents  `json:"monto"`
	FechaHora        httpapi.Time `json:"fecha_hora"`
	IDCajaSesion     int64        `json:"id_caja_sesion"`
	IDMovimientoCaja int64        `json:"id_movimiento_caja"`
	auditJSON
	CajaSesion *SesionRef `json:"caja_sesion,omitempty"`
}

func recargaView(v Recarga, withSesion bool) recargaJSON {
	out := recargaJSON{ID: v.ID, Operadora: v.Operadora, NumeroCliente: v.NumeroCliente, Monto: v.Monto,
		FechaHora: httpapi.Time(v.FechaHora.Time()), IDCajaSesion: v.IDCajaSesion, IDMovimientoCaja: v.IDMovimientoCaja,
		auditJSON: auditView(v.Audit)}
	if withSesion {
		s := v.Sesion
		out.CajaSesion = &s
	}
	return out
}

type inyeccionJSON struct {
	ID               int64        `json:"id"`
	OperadoraDestino string       `json:"operadora_destino"`
	Monto            money.Cents  `json:"monto"`
	Comision         money.Cents  `json:"comision"`
	MontoAcreditado  money.Cents  `json:"monto_acreditado"`
	FechaHora        httpapi.Time `json:"fecha_hora"`
	IDCajaOrigen     int64        `json:"id_caja_origen"`
	IDMovimientoCaja int64        `json:"id_movimiento_caja"`
	auditJSON
	CajaOrigen *SesionRef `json:"caja_origen,omitempty"`
}

func inyeccionView(v Inyeccion, withSesion bool) inyeccionJSON {
	out := inyeccionJSON{ID: v.ID, OperadoraDestino: v.OperadoraDestino, Monto: v.Monto, Comision: v.Comision,
		MontoAcreditado: v.MontoAcreditado, FechaHora: httpapi.Time(v.FechaHora.Time()), IDCajaOrigen: v.IDCajaOrigen,
		IDMovimientoCaja: v.IDMovimientoCaja, auditJSON: auditView(v.Audit)}
	if withSesion {
		s := v.Sesion
		out.CajaOrigen = &s
	}
	return out
}
