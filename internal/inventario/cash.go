package inventario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/money"
)

// CashDrawer is the cash side a compra paid from the caja needs (the caja
// package's *caja.Drawer implements it).
type CashDrawer interface {
	// LockSession locks the session row first in the lock order and checks
	// it is active and ABIERTA. Errors are *httpapi.Error: 404 "Sesión de
	// caja con ID 5 no encontrada o inactiva", 400 "No se pueden registrar
	// movimientos en una sesión cerrada".
	LockSession(tx *gorm.DB, sesionID int64) error
	// Withdraw takes monto from the session's caja, last in the lock order
	// (UPDATE cajas SET saldo = saldo - m WHERE id = ? AND saldo >= m; no
	// row → 400 "Fondos insuficientes en el saldo de la caja. Saldo
	// disponible: 150.00"), and inserts the EGRESO movimientos_caja row.
	// Returns the movimiento id.
	Withdraw(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error)
}

// SessionDrawer is the CashDrawer used until the caja package is merged:
// the same rules on the tables of migration 00006, written plainly. The
// server swaps in *caja.Drawer at merge.
type SessionDrawer struct{ DB *database.DB }

// LockSession implements CashDrawer.
func (d SessionDrawer) LockSession(tx *gorm.DB, sesionID int64) error {
	lock := ""
	if d.DB.IsPostgres() {
		lock = " FOR UPDATE"
	}
	var row struct {
		Estado       bool
		EstadoSesion string
	}
	res := tx.Raw("SELECT estado, estado_sesion FROM sesiones_caja WHERE id = ?"+lock, sesionID).Scan(&row)
	if res.Error != nil {
		return fmt.Errorf("lock sesion %d: %w", sesionID, res.Error)
	}
	if res.RowsAffected == 0 || !row.Estado {
		return httpapi.NewError(http.StatusNotFound, "Sesión de caja con ID "+strconv.FormatInt(sesionID, 10)+" no encontrada o inactiva")
	}
	if row.EstadoSesion != "ABIERTA" {
		return httpapi.NewError(http.StatusBadRequest, "No se pueden registrar movimientos en una sesión cerrada")
	}
	return nil
}

// Withdraw implements CashDrawer.
func (d SessionDrawer) Withdraw(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	res := tx.Exec("UPDATE cajas SET saldo = saldo - ?, updated_at = "+nowSQL(d.DB)+
		" WHERE id = (SELECT id_caja FROM sesiones_caja WHERE id = ?) AND saldo >= ?",
		d.DB.Money(monto), sesionID, d.DB.Money(monto))
	if res.Error != nil {
		return 0, fmt.Errorf("withdraw from caja: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		var saldo money.Cents
		row := tx.Raw("SELECT c.saldo FROM cajas c JOIN sesiones_caja s ON s.id_caja = c.id WHERE s.id = ?", sesionID).Row()
		if err := row.Scan(&saldo); err != nil {
			return 0, fmt.Errorf("read saldo: %w", err)
		}
		return 0, httpapi.NewError(http.StatusBadRequest, "Fondos insuficientes en el saldo de la caja. Saldo disponible: "+saldo.String())
	}
	var id int64
	err := tx.Raw("INSERT INTO movimientos_caja (id_sesion_caja, tipo, monto, motivo, origen, fecha, id_user_create, created_at, updated_at) "+
		"VALUES (?, 'EGRESO', ?, ?, ?, "+nowSQL(d.DB)+", ?, "+nowSQL(d.DB)+", "+nowSQL(d.DB)+") RETURNING id",
		sesionID, d.DB.Money(monto), motivo, origen, nullID(user)).Row().Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert movimiento_caja: %w", err)
	}
	return id, nil
}

// runTx is db.Tx with its give-up error answered as SPEC §12.3 says: a
// transaction that kept losing deadlock or serialization races → 503.
func runTx(ctx context.Context, db *database.DB, fn func(tx *gorm.DB) error) error {
	err := db.Tx(ctx, fn)
	if errors.Is(err, database.ErrContention) {
		return httpapi.Unavailable(err)
	}
	return err
}
