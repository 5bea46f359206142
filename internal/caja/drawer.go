package caja

import (
	"errors"
	"fmt"
	"net/http"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
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
	row := tx.Raw(`SELECT s.id, s.id_caja, s.id_usuario, s.estado, s.estado_sesion, c.especialidad, c.nombre
		FROM sesiones_caja s JOIN cajas c ON c.id = s.id_caja WHERE s.id = ?`+forUpdate(d.db), id).Row()
	err = row.Scan(&s.ID, &s.IDCaja, &s.IDUsuario, &s.Estado, &s.EstadoSesion, &s.Especialidad, &s.CajaNombre)
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

// moveSaldo changes the saldo of the session's caja by delta, never below
// zero: a withdrawal beyond the saldo is *InsufficientFunds and changes
// nothing. It is the only way any write changes caja.saldo.
func (d *Drawer) moveSaldo(tx *gorm.DB, sesionID int64, delta money.Cents) error {
	if delta == 0 {
		return nil
	}
	cajaID := tx.Raw("SELECT id_caja FROM sesiones_caja WHERE id = ?", sesionID)
	var id int64
	if err := cajaID.Row().Scan(&id); err != nil {
		return err
	}
	var res *gorm.DB
	if delta > 0 {
		res = tx.Exec("UPDATE cajas SET saldo = saldo + ?, updated_at = ? WHERE id = ?",
			d.db.Money(delta), d.db.Time(database.Now()), id)
	} else {
		m := d.db.Money(-delta)
		res = tx.Exec("UPDATE cajas SET saldo = saldo - ?, updated_at = ? WHERE id = ? AND saldo >= ?",
			m, d.db.Time(database.Now()), id, m)
	}
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		var saldo money.Cents
		if err := tx.Raw("SELECT saldo FROM cajas WHERE id = ?", id).Row().Scan(&saldo); err != nil {
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
