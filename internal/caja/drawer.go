package caja

import (
	"errors"
	"fmt"
	"net/http"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/inventario"
	"github.com/kantuta/kantuta/internal/money"
)

// Drawer is the cash drawer other modules pay from and into (compras,
// recargas): it implements inventario's CashDrawer. Every method runs
// inside the caller's transaction and keeps the lock order: LockSession
// first, Withdraw/Deposit (cajas) last.
type Drawer struct{ db *database.DB }

// NewDrawer returns the drawer on db.
func NewDrawer(db *database.DB) *Drawer { return &Drawer{db: db} }

// InsufficientFunds is a withdrawal the drawer cannot cover; Saldo is what
// it holds. Callers with their own wording (recargas) use TryWithdraw.
type InsufficientFunds struct{ Saldo money.Cents }

func (e *InsufficientFunds) Error() string {
	return "Fondos insuficientes en el saldo de la caja. Saldo disponible: " + e.Saldo.String()
}

// HTTP is the 400 of SPEC §13.2.
func (e *InsufficientFunds) HTTP() *httpapi.Error {
	return httpapi.NewError(http.StatusBadRequest, e.Error())
}

// lockedSession is what a write needs of its session, read under lock.
type lockedSession struct {
	ID           int64
	IDCaja       int64
	IDUsuario    int64
	Estado       bool
	EstadoSesion string
	Especialidad string
	CajaNombre   string
}

// forUpdate is the row-lock suffix: PostgreSQL locks the row; SQLite's
// BEGIN IMMEDIATE already holds the database's write lock.
func forUpdate(db *database.DB) string {
	if db.IsPostgres() {
		return " FOR UPDATE OF s"
	}
	return ""
}

// lockSession locks the session row (first in the lock order) and reads it
// with its caja; found is false when there is no such row.
func (d *Drawer) lockSession(tx *gorm.DB, id int64) (s lockedSession, found bool, err error) {
	return d.lockSessionFor(tx, id, forUpdate(d.db))
}

// shareSession is lockSession for a new venta: on PostgreSQL a shared row
// lock (FOR SHARE), so that the sales of one session do not wait for each
// other, while every other writer of the session — its close, movimientos,
// recargas, compras, edits and annulments of its ventas — takes FOR UPDATE,
// which waits for the sales in flight and makes new ones wait: a close
// still counts exactly the sales committed before it (contract §13.3). Two
// sales of one session meet on the rows they write after their products
// (the day aggregate, the caja), in the same order in both.
func (d *Drawer) shareSession(tx *gorm.DB, id int64) (s lockedSession, found bool, err error) {
	lock := ""
	if d.db.IsPostgres() {
		lock = " FOR SHARE OF s"
	}
	return d.lockSessionFor(tx, id, lock)
}

// sessionSQL reads a session with its caja; lock is the row-lock suffix.
const sessionSQL = `SELECT s.id, s.id_caja, s.id_usuario, s.estado, s.estado_sesion, c.especialidad, c.nombre
		FROM sesiones_caja s JOIN cajas c ON c.id = s.id_caja WHERE s.id = ?`

func (s *lockedSession) dest() []any {
	return []any{&s.ID, &s.IDCaja, &s.IDUsuario, &s.Estado, &s.EstadoSesion, &s.Especialidad, &s.CajaNombre}
}

// shareSessionFirst is shareSession as the query the Ledger runs before
// taking a venta's stock (inventario.Ledger.TakeAfter), read into s.
func (d *Drawer) shareSessionFirst(id int64, s *lockedSession) inventario.First {
	lock := ""
	if d.db.IsPostgres() {
		lock = " FOR SHARE OF s"
	}
	return inventario.First{Query: sessionSQL + lock, Args: []any{id}, Dest: s.dest()}
}

func (d *Drawer) lockSessionFor(tx *gorm.DB, id int64, lock string) (s lockedSession, found bool, err error) {
	err = tx.Raw(sessionSQL+lock, id).Row().Scan(s.dest()...)
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, errNoRows) {
		return s, false, nil
	}
	return s, err == nil, err
}

// LockSession locks the session row first in the lock order and checks it
// is active and ABIERTA (SPEC §12.2's texts).
func (d *Drawer) LockSession(tx *gorm.DB, sesionID int64) error {
	s, found, err := d.lockSession(tx, sesionID)
	if err != nil {
		return err
	}
	if !found || !s.Estado {
		return httpapi.NewError(http.StatusNotFound, fmt.Sprintf("Sesión de caja con ID %d no encontrada o inactiva", sesionID))
	}
	if s.EstadoSesion != Abierta {
		return httpapi.NewError(http.StatusBadRequest, "No se pueden registrar movimientos en una sesión cerrada")
	}
	return nil
}

// Withdraw takes monto from the session's caja (UPDATE … WHERE saldo >= m)
// and records the EGRESO movimiento. The caller locked the session.
func (d *Drawer) Withdraw(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	id, err := d.TryWithdraw(tx, sesionID, monto, motivo, origen, user)
	var funds *InsufficientFunds
	if errors.As(err, &funds) {
		return 0, funds.HTTP()
	}
	return id, err
}

// TryWithdraw is Withdraw answering *InsufficientFunds when the drawer
// holds less than monto, for callers that word it their own way.
func (d *Drawer) TryWithdraw(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	if err := d.moveSaldo(tx, sesionID, -monto); err != nil {
		return 0, err
	}
	return d.insertMovimiento(tx, sesionID, Egreso, monto, motivo, origen, user)
}

// Deposit adds monto to the session's caja and records the INGRESO.
func (d *Drawer) Deposit(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	if err := d.moveSaldo(tx, sesionID, monto); err != nil {
		return 0, err
	}
	return d.insertMovimiento(tx, sesionID, Ingreso, monto, motivo, origen, user)
}

// depositSQL is the statement that adds delta (> 0) to the saldo of caja
// cajaID, for a writer that locked the caja's open session and runs it with
// its other writes (a sale: with its aggregates, one round trip).
func (d *Drawer) depositSQL(cajaID int64, delta money.Cents) (string, []any) {
	return "UPDATE cajas SET saldo = saldo + ?, updated_at = ? WHERE id = ?", []any{d.db.Money(delta), d.db.Time(database.Now()), cajaID}
}

// moveSaldo changes the saldo of the session's caja by delta, never below
// zero: a withdrawal beyond the saldo is *InsufficientFunds and changes
// nothing. With depositSQL, the only way any write changes caja.saldo.
func (d *Drawer) moveSaldo(tx *gorm.DB, sesionID int64, delta money.Cents) error {
	if delta == 0 {
		return nil
	}
	// The caja found through the session in the same statement: one round
	// trip (the session row is locked by the caller).
	const caja = "(SELECT id_caja FROM sesiones_caja WHERE id = ?)"
	var res *gorm.DB
	if delta > 0 {
		res = tx.Exec("UPDATE cajas SET saldo = saldo + ?, updated_at = ? WHERE id = "+caja,
			d.db.Money(delta), d.db.Time(database.Now()), sesionID)
	} else {
		m := d.db.Money(-delta)
		res = tx.Exec("UPDATE cajas SET saldo = saldo - ?, updated_at = ? WHERE id = "+caja+" AND saldo >= ?",
			m, d.db.Time(database.Now()), sesionID, m)
	}
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		var saldo money.Cents
		if err := tx.Raw("SELECT saldo FROM cajas WHERE id = "+caja, sesionID).Row().Scan(&saldo); err != nil {
			return err
		}
		return &InsufficientFunds{Saldo: saldo}
	}
	return nil
}

func (d *Drawer) insertMovimiento(tx *gorm.DB, sesionID int64, tipo string, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	if origen == "" {
		origen = OrigenManual
	}
	t := d.db.Time(database.Now())
	var id int64
	err := tx.Raw(`INSERT INTO movimientos_caja (id_sesion_caja, tipo, monto, motivo, origen, fecha, id_user_create, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		sesionID, tipo, d.db.Money(monto), motivo, origen, t, nullID(user), t, t).Row().Scan(&id)
	return id, err
}

// nullID records 0 (no usuario) as NULL.
func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}
