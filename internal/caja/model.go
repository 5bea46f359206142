// Package caja is the cash side of the point of sale (SPEC §13): cash
// drawers (cajas), their sessions, cash movements and ventas. Every write
// that touches cash runs in one transaction in the global lock order
// sesiones_caja → producto (ascending id) → operadoras_saldos → cajas, and
// changes caja.saldo with conditional `saldo = saldo ± x` updates only, so
// that the open session's expected cash always equals the drawer's saldo.
package caja

import (
	"database/sql"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// errNoRows is what *sql.Row.Scan answers for no row.
var errNoRows = sql.ErrNoRows

// Especialidades, estados and kinds on the wire (SPEC §13.1).
const (
	SoloVentas  = "SOLO_VENTAS"
	SoloAgentes = "SOLO_AGENTES"
	Mixta       = "MIXTA"

	Abierta = "ABIERTA"
	Cerrada = "CERRADA"

	Ingreso = "INGRESO"
	Egreso  = "EGRESO"

	OrigenManual = "MANUAL"

	Efectivo      = "EFECTIVO"
	QR            = "QR"
	Transferencia = "TRANSFERENCIA"

	Completada = "COMPLETADA"
	Anulada    = "ANULADA"
	Editada    = "EDITADA"
)

// Stamp is a timestamp column (database.Timestamp: either driver's form)
// answered as 2024-07-10T14:22:00.000Z.
type Stamp struct{ database.Timestamp }

// MarshalJSON answers §3's format.
func (s Stamp) MarshalJSON() ([]byte, error) { return httpapi.Time(s.Time()).MarshalJSON() }

// Audit is §3's audit columns.
type Audit struct {
	Estado       bool   `json:"estado"`
	IDUserCreate *int64 `json:"id_user_create"`
	IDUserUpdate *int64 `json:"id_user_update"`
	CreatedAt    Stamp  `json:"created_at"`
	UpdatedAt    Stamp  `json:"updated_at"`
}

const auditCols = "estado, id_user_create, id_user_update, created_at, updated_at"

func (a *Audit) dest() []any {
	return []any{&a.Estado, &a.IDUserCreate, &a.IDUserUpdate, &a.CreatedAt, &a.UpdatedAt}
}

// Caja is a cash drawer as answered (SPEC §13.1).
type Caja struct {
	ID           int64       `json:"id"`
	Nombre       string      `json:"nombre"`
	Especialidad string      `json:"especialidad"`
	Saldo        money.Cents `json:"saldo"`
	Audit
	Sesiones []Sesion `json:"sesiones,omitempty"`
}

const cajaCols = "id, nombre, especialidad, saldo, " + auditCols

func scanCaja(row interface{ Scan(...any) error }) (Caja, error) {
	var c Caja
	err := row.Scan(append([]any{&c.ID, &c.Nombre, &c.Especialidad, &c.Saldo}, c.Audit.dest()...)...)
	return c, err
}

// Sesion is a cash session (SesionCaja); abrir and sesion-activa embed
// its caja.
type Sesion struct {
	ID                int64        `json:"id"`
	IDCaja            int64        `json:"id_caja"`
	IDUsuario         int64        `json:"id_usuario"`
	MontoInicial      money.Cents  `json:"monto_inicial"`
	MontoFinalTeorico *money.Cents `json:"monto_final_teorico"`
	MontoFinalReal    *money.Cents `json:"monto_final_real"`
	Diferencia        *money.Cents `json:"diferencia"`
	EstadoSesion      string       `json:"estado_sesion"`
	FechaApertura     Stamp        `json:"fecha_apertura"`
	FechaCierre       *Stamp       `json:"fecha_cierre"`
	Audit
	Caja *Caja `json:"caja,omitempty"`
}

const sesionCols = "id, id_caja, id_usuario, monto_inicial, monto_final_teorico, monto_final_real, diferencia, " +
	"estado_sesion, fecha_apertura, fecha_cierre, " + auditCols

func scanSesion(row interface{ Scan(...any) error }) (Sesion, error) {
	var s Sesion
	err := row.Scan(append([]any{&s.ID, &s.IDCaja, &s.IDUsuario, &s.MontoInicial, &s.MontoFinalTeorico,
		&s.MontoFinalReal, &s.Diferencia, &s.EstadoSesion, &s.FechaApertura, &s.FechaCierre}, s.Audit.dest()...)...)
	return s, err
}

// Movimiento is a cash movement (MovimientoCaja).
type Movimiento struct {
	ID           int64       `json:"id"`
	IDSesionCaja int64       `json:"id_sesion_caja"`
	Tipo         string      `json:"tipo"`
	Monto        money.Cents `json:"monto"`
	Motivo       string      `json:"motivo"`
	Origen       string      `json:"origen"`
	Fecha        Stamp       `json:"fecha"`
	Audit
}

const movimientoCols = "id, id_sesion_caja, tipo, monto, motivo, origen, fecha, " + auditCols

func scanMovimiento(row interface{ Scan(...any) error }) (Movimiento, error) {
	var m Movimiento
	err := row.Scan(append([]any{&m.ID, &m.IDSesionCaja, &m.Tipo, &m.Monto, &m.Motivo, &m.Origen, &m.Fecha}, m.Audit.dest()...)...)
	return m, err
}

// scanAll reads every row of rows with scan.
func scanAll[T any](rows *sql.Rows, err error, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
