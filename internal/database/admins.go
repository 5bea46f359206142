package database

import (
	"fmt"
	"strconv"

	"gorm.io/gorm"
)

// OtherActiveAdmins counts the active admins (rows of usuario and operador
// holding adminRole) other than the account kind ("usuario" or
// "operador", the table it lives in) with this id. Both account stores call
// it inside the transaction that would remove or demote an admin. With lock
// (PostgreSQL) it locks the admin rows, operators first then usuarios, each
// in id order, so two admins removing each other at once are serialised and
// cannot deadlock; SQLite write transactions are serialised anyway.
func OtherActiveAdmins(tx *gorm.DB, lock bool, adminRole int, kind, id string) (int64, error) {
	forUpdate := ""
	if lock {
		forUpdate = " FOR UPDATE"
	}
	var ops []string
	if err := tx.Raw("SELECT id FROM operador WHERE id_role = ? AND deleted_at IS NULL ORDER BY id"+forUpdate, adminRole).
		Scan(&ops).Error; err != nil {
		return 0, fmt.Errorf("admin operators: %w", err)
	}
	var usuarios []int64
	if err := tx.Raw("SELECT id FROM usuario WHERE id_role = ? AND estado ORDER BY id"+forUpdate, adminRole).
		Scan(&usuarios).Error; err != nil {
		return 0, fmt.Errorf("admin usuarios: %w", err)
	}
	var n int64
	for _, o := range ops {
		if kind != "operador" || o != id {
			n++
		}
	}
	for _, u := range usuarios {
		if kind != "usuario" || strconv.FormatInt(u, 10) != id {
			n++
		}
	}
	return n, nil
}
