// Package role holds the three roles shared by usuarios and operators.
// Authorization is decided by a role's id; its name is display data.
package role

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/jsonappend"
)

// ID identifies a role; these three are seeded by the first migration.
type ID = int

const (
	Admin ID = 1 // may do everything
	Lider ID = 2 // shop manager: reads usuarios and personas, manages clientes
	User  ID = 3 // cashier
)

// ErrNotFound means no role has that id or uuid.
var ErrNotFound = errors.New("role not found")

// Role is a row of the role table.
type Role struct {
	ID           int    `gorm:"primaryKey"`
	UUID         string `gorm:"column:uuid"`
	Nombre       string
	Descripcion  *string
	Estado       bool
	IDUserCreate *int64
	IDUserUpdate *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (Role) TableName() string { return "role" }

// IsAdmin reports whether the role grants everything.
func (r Role) IsAdmin() bool { return r.ID == Admin }

// JSON is the role as the Kantuta frontend reads it inside a Usuario.
type JSON struct {
	ID          int     `json:"id"`
	Nombre      string  `json:"nombre"`
	Descripcion *string `json:"descripcion"`
}

// ToJSON renders a role for Kantuta responses.
func (r Role) ToJSON() JSON { return JSON{ID: r.ID, Nombre: r.Nombre, Descripcion: r.Descripcion} }

// Store reads and renames roles.
type Store struct{ db *database.DB }

// NewStore builds a Store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

// List returns every role by id.
func (s *Store) List(ctx context.Context) ([]Role, error) {
	var roles []Role
	if err := s.db.WithContext(ctx).Order("id").Find(&roles).Error; err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	return roles, nil
}

// ByID finds one role.
func (s *Store) ByID(ctx context.Context, id int) (Role, error) {
	var r Role
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if database.IsNotFound(err) {
		return Role{}, ErrNotFound
	}
	if err != nil {
		return Role{}, fmt.Errorf("role %d: %w", id, err)
	}
	return r, nil
}

// ByUUID finds one role by the uuid the Ambrosia routes use.
func (s *Store) ByUUID(ctx context.Context, uuid string) (Role, error) {
	var r Role
	err := s.db.WithContext(ctx).Where("uuid = ?", uuid).Take(&r).Error
	if database.IsNotFound(err) {
		return Role{}, ErrNotFound
	}
	if err != nil {
		return Role{}, fmt.Errorf("role %s: %w", uuid, err)
	}
	return r, nil
}

// ApplyNames gives roles 1–3 the configured display names (ROLE_NAMES), in
// one transaction so that swapping two names does not trip the unique index.
func (s *Store) ApplyNames(ctx context.Context, names [3]string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var current []Role
		if err := tx.Order("id").Find(&current).Error; err != nil {
			return err
		}
		changed := false
		for _, r := range current {
			if r.ID >= 1 && r.ID <= 3 && r.Nombre != names[r.ID-1] {
				changed = true
			}
		}
		if !changed {
			return nil
		}
		for id := 1; id <= 3; id++ {
			if err := tx.Model(&Role{}).Where("id = ?", id).Update("nombre", fmt.Sprintf("__renaming_%d", id)).Error; err != nil {
				return err
			}
		}
		for id := 1; id <= 3; id++ {
			if err := tx.Model(&Role{}).Where("id = ?", id).Update("nombre", names[id-1]).Error; err != nil {
				return fmt.Errorf("rename role %d to %q: %w", id, names[id-1], err)
			}
		}
		return nil
	})
}

// AppendJSON appends r as encoding/json writes it (the usuario list writes
// its rows by hand).
func (r JSON) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonappend.Int(b, int64(r.ID))
	b = append(b, `,"nombre":`...)
	b = jsonappend.String(b, r.Nombre)
	b = append(b, `,"descripcion":`...)
	b = jsonappend.StringPtr(b, r.Descripcion)
	return append(b, '}')
}
