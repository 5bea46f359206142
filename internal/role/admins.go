package role

import (
	"fmt"

	"gorm.io/gorm"
)

// Account kinds, as the last-admin rule names them.
const (
	AccountUsuario  = "usuario"
	AccountOperador = "operador"
)

// OtherActiveAdmins counts the active admins — usuarios and operators —
// other than the account (kind, id). Both account stores call it inside
// the transaction that would remove or demote an admin. On PostgreSQL it
// locks the admin rows, operators first then usuarios, each in id order,
// so two admins removing each other at once are serialised and cannot
// deadlock; SQLite write transactions are serialised anyway.
func OtherActiveAdmins(tx *gorm.DB, lock bool, kind, id string) (int64, error) {
	forUpdate := ""
	if lock {
		forUpdate = " FOR UPDATE"
	}
	var ops []string
	if err := tx.Raw("SELECT id FROM operador WHERE id_role = ? AND deleted_at IS NULL ORDER BY id"+forUpdate, Admin).
		Scan(&ops).Error; err != nil {
		return 0, fmt.Errorf("admin operators: %w", err)
	}
	var usuarios []int64
	if err := tx.Raw("SELECT id FROM usuario WHERE id_role = ? AND estado ORDER BY id"+forUpdate, Admin).
		Scan(&usuarios).Error; err != nil {
		return 0, fmt.Errorf("admin usuarios: %w", err)
	}
	var n int64
	for _, o := range ops {
		if kind != AccountOperador || o != id {
			n++
		}
	}
	for _, u := range usuarios {
		if kind != AccountUsuario || fmt.Sprint(u) != id {
			n++
		}
	}
	return n, nil
}
