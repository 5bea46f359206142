package recarga

import (
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/money"
)

// TableDrawer moves cash on the cajas and movimientos_caja tables of
// migration 00006 directly. It stands in for caja's *Drawer until the caja
// branch is merged; the wiring then adapts *caja.Drawer to Drawer and this
// file goes away.
type TableDrawer struct{ DB *database.DB }

// Deposit adds monto to the session's caja and records the INGRESO.
func (d TableDrawer) Deposit(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	res := tx.Exec("UPDATE cajas SET saldo = saldo + ? WHERE id = (SELECT id_caja FROM sesiones_caja WHERE id = ?)",
		d.DB.Money(monto), sesionID)
	if res.Error != nil {
		return 0, res.Error
	}
	return d.movimiento(tx, sesionID, "INGRESO", monto, motivo, origen, user)
}

// Withdraw takes monto from the session's caja, never below zero.
func (d TableDrawer) Withdraw(tx *gorm.DB, sesionID int64, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	m := d.DB.Money(monto)
	res := tx.Exec("UPDATE cajas SET saldo = saldo - ? WHERE id = (SELECT id_caja FROM sesiones_caja WHERE id = ?) AND saldo >= ?",
		m, sesionID, m)
	if res.Error != nil {
		return 0, res.Error
	}
	if res.RowsAffected == 0 {
		var saldo money.Cents
		if err := tx.Raw("SELECT c.saldo FROM cajas c JOIN sesiones_caja s ON s.id_caja = c.id WHERE s.id = ?", sesionID).
			Row().Scan(&saldo); err != nil {
			return 0, err
		}
		return 0, &InsufficientCash{Saldo: saldo}
	}
	return d.movimiento(tx, sesionID, "EGRESO", monto, motivo, origen, user)
}

func (d TableDrawer) movimiento(tx *gorm.DB, sesionID int64, tipo string, monto money.Cents, motivo, origen string, user int64) (int64, error) {
	var id int64
	err := tx.Raw(`INSERT INTO movimientos_caja (id_sesion_caja, tipo, monto, motivo, origen, id_user_create)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, sesionID, tipo, d.DB.Money(monto), motivo, origen, user).Row().Scan(&id)
	return id, err
}
