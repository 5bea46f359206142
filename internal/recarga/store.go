package recarga

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
	"github.com/kantuta/kantuta/internal/realtime"
)

// Store reads and writes the recargas tables.
type Store struct {
	db     *database.DB
	drawer Drawer
	pub    realtime.Publisher
	now    func() time.Time
}

// NewStore builds the store; drawer moves the cash, pub announces writes.
func NewStore(db *database.DB, drawer Drawer, pub realtime.Publisher) *Store {
	return &Store{db: db, drawer: drawer, pub: pub, now: database.Now}
}

// Caller is who writes: the token's usuario, and whether it may act on any
// session (admin).
type Caller struct {
	UsuarioID int64
	Admin     bool
}

// Messages of SPEC §14.5.
const (
	msgSesion      = "La sesión de caja no existe o no está ABIERTA."
	msgSesionAjena = "La sesión de caja pertenece a otro usuario"
)

func errNoOperadora(op string) error {
	return httpapi.NewError(http.StatusNotFound, fmt.Sprintf("La operadora %s no está registrada.", op))
}

// lockSession locks the session row, first in the lock order (a concurrent
// cierre waits or has won), and checks it is active, ABIERTA and the
// caller's (admin: any).
func (s *Store) lockSession(tx *gorm.DB, id int64, c Caller) error {
	q := "SELECT id_usuario, estado, estado_sesion FROM sesiones_caja WHERE id = ?"
	if s.db.IsPostgres() {
		q += " FOR UPDATE" // SQLite: BEGIN IMMEDIATE already holds the write lock
	}
	var owner int64
	var active bool
	var state string
	err := tx.Raw(q, id).Row().Scan(&owner, &active, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return httpapi.NewError(http.StatusBadRequest, msgSesion)
	}
	if err != nil {
		return err
	}
	if !active {
		return httpapi.NewError(http.StatusBadRequest, msgSesion)
	}
	if owner != c.UsuarioID && !c.Admin {
		return httpapi.NewError(http.StatusForbidden, msgSesionAjena)
	}
	if state != "ABIERTA" {
		return httpapi.NewError(http.StatusBadRequest, msgSesion)
	}
	return nil
}

// Operadoras lists the active operators by id.
func (s *Store) Operadoras(ctx context.Context) ([]Operadora, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT id, nombre_operadora, saldo_actual, comision_porcentaje, " + auditCols +
		" FROM operadoras_saldos WHERE estado ORDER BY id").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Operadora{}
	for rows.Next() {
		var o Operadora
		if err := rows.Scan(append([]any{&o.ID, &o.NombreOperadora, &o.SaldoActual, &o.ComisionPorcentaje}, o.dest()...)...); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) operadora(tx *gorm.DB, id int64) (Operadora, bool, error) {
	var o Operadora
	err := tx.Raw("SELECT id, nombre_operadora, saldo_actual, comision_porcentaje, "+auditCols+
		" FROM operadoras_saldos WHERE id = ? AND estado", id).Row().
		Scan(append([]any{&o.ID, &o.NombreOperadora, &o.SaldoActual, &o.ComisionPorcentaje}, o.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	return o, err == nil, err
}

// SetComision sets an operator's commission percentage (hundredths).
func (s *Store) SetComision(ctx context.Context, id int64, pct money.Cents, user int64) (Operadora, bool, error) {
	var out Operadora
	var found bool
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE operadoras_saldos SET comision_porcentaje = ?, id_user_update = ?, updated_at = ? WHERE id = ? AND estado",
			s.db.Money(pct), user, s.db.Time(s.now()), id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		var err error
		if out, found, err = s.operadora(tx, id); err != nil {
			return err
		}
		return s.pub.Publish(tx, realtime.Event{Entity: "operadora", Action: "actualizada"})
	})
	return out, found, err
}

// RecargaInput is a validated top-up.
type RecargaInput struct {
	Operadora     string
	NumeroCliente string
	Monto         money.Cents
	SesionID      int64
}

// Recargar sells a top-up: the operator's balance goes down by monto (never
// below zero), the drawer's cash up by monto, one INGRESO movimiento.
func (s *Store) Recargar(ctx context.Context, in RecargaInput, c Caller) (Recarga, error) {
	var out Recarga
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockSession(tx, in.SesionID, c); err != nil {
			return err
		}
		now := s.now()
		m := s.db.Money(in.Monto)
		res := tx.Exec(`UPDATE operadoras_saldos SET saldo_actual = saldo_actual - ?, updated_at = ?
			WHERE nombre_operadora = ? AND estado AND saldo_actual >= ?`, m, s.db.Time(now), in.Operadora, m)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var saldo money.Cents
			err := tx.Raw("SELECT saldo_actual FROM operadoras_saldos WHERE nombre_operadora = ? AND estado", in.Operadora).Row().Scan(&saldo)
			if errors.Is(err, sql.ErrNoRows) {
				return errNoOperadora(in.Operadora)
			}
			if err != nil {
				return err
			}
			return httpapi.NewError(http.StatusBadRequest,
				fmt.Sprintf("Saldo insuficiente para la operadora %s. Saldo actual: %s", in.Operadora, saldo))
		}
		motivo := fmt.Sprintf("Venta de recarga a cliente %s (%s)", in.NumeroCliente, in.Operadora)
		movID, err := s.drawer.Deposit(tx, in.SesionID, in.Monto, motivo, OrigenRecarga, c.UsuarioID)
		if err != nil {
			return err
		}
		t := s.db.Time(now)
		var id int64
		if err := tx.Raw(`INSERT INTO recargas_clientes (operadora, numero_cliente, monto, fecha_hora, id_caja_sesion, id_movimiento_caja,
			id_user_create, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Operadora, in.NumeroCliente, m, t, in.SesionID, movID, c.UsuarioID, t, t).Row().Scan(&id); err != nil {
			return err
		}
		user := c.UsuarioID
		out = Recarga{ID: id, Operadora: in.Operadora, NumeroCliente: in.NumeroCliente, Monto: in.Monto,
			FechaHora: database.Timestamp(now), IDCajaSesion: in.SesionID, IDMovimientoCaja: movID,
			Audit: Audit{Estado: true, IDUserCreate: &user, CreatedAt: database.Timestamp(now), UpdatedAt: database.Timestamp(now)}}
		return s.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "saldo_actualizado"}, realtime.Event{Entity: "recarga", Action: "creada"})
	})
	return out, err
}

// InyeccionInput is a validated injection.
type InyeccionInput struct {
	Operadora string
	Monto     money.Cents
	SesionID  int64
}

// Inyectar buys operator balance with the drawer's cash: the drawer loses
// monto (never below zero), the operator gains monto + comision, where
// comision = round_half_up(monto × comision_porcentaje / 100).
func (s *Store) Inyectar(ctx context.Context, in InyeccionInput, c Caller) (Inyeccion, error) {
	var out Inyeccion
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockSession(tx, in.SesionID, c); err != nil {
			return err
		}
		q := "SELECT comision_porcentaje FROM operadoras_saldos WHERE nombre_operadora = ? AND estado"
		if s.db.IsPostgres() {
			q += " FOR UPDATE"
		}
		var pct money.Cents
		err := tx.Raw(q, in.Operadora).Row().Scan(&pct)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoOperadora(in.Operadora)
		}
		if err != nil {
			return err
		}
		comision := in.Monto.Percent(int64(pct))
		credit := in.Monto + comision
		now := s.now()
		res := tx.Exec(`UPDATE operadoras_saldos SET saldo_actual = saldo_actual + ?, updated_at = ?
			WHERE nombre_operadora = ? AND estado AND saldo_actual <= ?`,
			s.db.Money(credit), s.db.Time(now), in.Operadora, s.db.Money(money.Max-credit))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return httpapi.NewError(http.StatusBadRequest,
				fmt.Sprintf("El saldo de la operadora %s superaría el máximo permitido", in.Operadora))
		}
		motivo := "Fondeo de saldo a operadora " + in.Operadora
		movID, err := s.drawer.Withdraw(tx, in.SesionID, in.Monto, motivo, OrigenInyeccion, c.UsuarioID)
		var short *InsufficientCash
		if errors.As(err, &short) {
			return httpapi.NewError(http.StatusBadRequest,
				"Fondos insuficientes en el saldo de la caja para realizar el fondeo. Saldo disponible: Bs. "+short.Saldo.String())
		}
		if err != nil {
			return err
		}
		t := s.db.Time(now)
		var id int64
		if err := tx.Raw(`INSERT INTO inyecciones_operadoras (operadora_destino, monto, comision, monto_acreditado, fecha_hora,
			id_caja_origen, id_movimiento_caja, id_user_create, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Operadora, s.db.Money(in.Monto), s.db.Money(comision), s.db.Money(credit), t,
			in.SesionID, movID, c.UsuarioID, t, t).Row().Scan(&id); err != nil {
			return err
		}
		user := c.UsuarioID
		out = Inyeccion{ID: id, OperadoraDestino: in.Operadora, Monto: in.Monto, Comision: comision, MontoAcreditado: credit,
			FechaHora: database.Timestamp(now), IDCajaOrigen: in.SesionID, IDMovimientoCaja: movID,
			Audit: Audit{Estado: true, IDUserCreate: &user, CreatedAt: database.Timestamp(now), UpdatedAt: database.Timestamp(now)}}
		return s.pub.Publish(tx, realtime.Event{Entity: "caja", Action: "saldo_actualizado"}, realtime.Event{Entity: "inyeccion", Action: "creada"})
	})
	return out, err
}

// Filter narrows a history: [Desde, Hasta) instants when set, an operator,
// a session, the sessions of one usuario (OwnerID, for cashiers), a page.
type Filter struct {
	Desde, Hasta *time.Time
	Operadora    string
	SesionID     int64
	OwnerID      int64
	Limit        int
	Offset       int
}

// where builds the common conditions on table alias r (its date column and
// session column named) joined to sesiones_caja s.
func (s *Store) where(f Filter, dateCol, opCol, sesCol string) (string, []any) {
	conds := []string{"r.estado"}
	var args []any
	if f.Desde != nil {
		conds = append(conds, "r."+dateCol+" >= ?")
		args = append(args, s.db.Bound(*f.Desde))
	}
	if f.Hasta != nil {
		conds = append(conds, "r."+dateCol+" < ?")
		args = append(args, s.db.Bound(*f.Hasta))
	}
	if f.Operadora != "" {
		conds = append(conds, "r."+opCol+" = ?")
		args = append(args, f.Operadora)
	}
	if f.SesionID > 0 {
		conds = append(conds, "r."+sesCol+" = ?")
		args = append(args, f.SesionID)
	}
	if f.OwnerID > 0 {
		conds = append(conds, "s.id_usuario = ?")
		args = append(args, f.OwnerID)
	}
	return strings.Join(conds, " AND "), args
}

// HistorialRecargas lists top-ups, newest first.
func (s *Store) HistorialRecargas(ctx context.Context, f Filter) ([]Recarga, error) {
	cond, args := s.where(f, "fecha_hora", "operadora", "id_caja_sesion")
	rows, err := s.db.WithContext(ctx).Raw(`SELECT r.id, r.operadora, r.numero_cliente, r.monto, r.fecha_hora, r.id_caja_sesion,
		r.id_movimiento_caja, r.estado, r.id_user_create, r.id_user_update, r.created_at, r.updated_at,
		s.id, s.id_caja, s.id_usuario, s.estado_sesion
		FROM recargas_clientes r JOIN sesiones_caja s ON s.id = r.id_caja_sesion
		WHERE `+cond+` ORDER BY r.fecha_hora DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Recarga{}
	for rows.Next() {
		var v Recarga
		if err := rows.Scan(append(append([]any{&v.ID, &v.Operadora, &v.NumeroCliente, &v.Monto, &v.FechaHora, &v.IDCajaSesion,
			&v.IDMovimientoCaja}, v.dest()...), &v.Sesion.ID, &v.Sesion.IDCaja, &v.Sesion.IDUsuario, &v.Sesion.EstadoSesion)...); err != nil {
			return nil, err
		}
		v.NumeroCliente = strings.TrimSpace(v.NumeroCliente)
		out = append(out, v)
	}
	return out, rows.Err()
}

// HistorialInyecciones lists injections, newest first.
func (s *Store) HistorialInyecciones(ctx context.Context, f Filter) ([]Inyeccion, error) {
	cond, args := s.where(f, "fecha_hora", "operadora_destino", "id_caja_origen")
	rows, err := s.db.WithContext(ctx).Raw(`SELECT r.id, r.operadora_destino, r.monto, r.comision, r.monto_acreditado, r.fecha_hora,
		r.id_caja_origen, r.id_movimiento_caja, r.estado, r.id_user_create, r.id_user_update, r.created_at, r.updated_at,
		s.id, s.id_caja, s.id_usuario, s.estado_sesion
		FROM inyecciones_operadoras r JOIN sesiones_caja s ON s.id = r.id_caja_origen
		WHERE `+cond+` ORDER BY r.fecha_hora DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Inyeccion{}
	for rows.Next() {
		var v Inyeccion
		if err := rows.Scan(append(append([]any{&v.ID, &v.OperadoraDestino, &v.Monto, &v.Comision, &v.MontoAcreditado, &v.FechaHora,
			&v.IDCajaOrigen, &v.IDMovimientoCaja}, v.dest()...), &v.Sesion.ID, &v.Sesion.IDCaja, &v.Sesion.IDUsuario, &v.Sesion.EstadoSesion)...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
