package inventario

import (
	"gorm.io/gorm"

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
