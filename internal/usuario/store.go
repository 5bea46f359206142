package usuario

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/role"
)

// Store errors the handlers map to HTTP.
var (
	ErrNotFound   = errors.New("usuario not found")
	ErrEmailTaken = errors.New("email already registered")
	ErrLastAdmin  = errors.New("last active admin")
)

// Store keeps usuarios (and the persona each one owns) in the database.
type Store struct{ db *database.DB }

// NewStore builds a Store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

// DB exposes the handle for tests and transactions spanning stores.
func (s *Store) DB() *database.DB { return s.db }

func (s *Store) withRelations(ctx context.Context) *gorm.DB {
	// One query with two joins: no N+1 when listing.
	return s.db.WithContext(ctx).Joins("Persona").Joins("Role")
}

// Create inserts the persona and the usuario in one transaction: both or
// neither. A duplicate email is ErrEmailTaken.
func (s *Store) Create(ctx context.Context, u *Usuario) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p := u.Persona
		if err := tx.Omit("id").Create(&p).Error; err != nil {
			return fmt.Errorf("insert persona: %w", err)
		}
		u.IDPersona = p.ID
		row := *u
		row.Persona = persona.Persona{}
		row.Role = role.Role{}
		if err := tx.Omit("id", "Persona", "Role").Create(&row).Error; err != nil {
			return fmt.Errorf("insert usuario: %w", err)
		}
		u.ID = row.ID
		return nil
	})
	if database.IsUniqueViolation(err) {
		return ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("create usuario: %w", err)
	}
	return s.reload(ctx, u)
}

func (s *Store) reload(ctx context.Context, u *Usuario) error {
	got, err := s.ByID(ctx, u.ID)
	if err != nil {
		return err
	}
	*u = got
	return nil
}

// ByID returns one usuario with persona and role.
func (s *Store) ByID(ctx context.Context, id int64) (Usuario, error) {
	var u Usuario
	err := s.withRelations(ctx).Where("usuario.id = ?", id).Take(&u).Error
	if database.IsNotFound(err) {
		return Usuario{}, ErrNotFound
	}
	if err != nil {
		return Usuario{}, fmt.Errorf("usuario %d: %w", id, err)
	}
	return u, nil
}

// ByEmail returns one usuario by its (case-insensitive) email.
func (s *Store) ByEmail(ctx context.Context, email string) (Usuario, error) {
	var u Usuario
	err := s.withRelations(ctx).Where("usuario.email = ?", NormalizeEmail(email)).Take(&u).Error
	if database.IsNotFound(err) {
		return Usuario{}, ErrNotFound
	}
	if err != nil {
		return Usuario{}, fmt.Errorf("usuario by email: %w", err)
	}
	return u, nil
}

// Count returns how many usuarios exist.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Usuario{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count usuarios: %w", err)
	}
	return n, nil
}

// AccountState implements auth.AccountStates for usuarios.
func (s *Store) AccountState(ctx context.Context, id string) (auth.AccountState, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return auth.AccountState{}, auth.ErrAccountNotFound
	}
	var row struct {
		IDRole       int
		Estado       bool
		TokenVersion int
		Email        string
	}
	err = s.db.WithContext(ctx).Model(&Usuario{}).Select("id_role", "estado", "token_version", "email").
		Where("id = ?", n).Take(&row).Error
	if database.IsNotFound(err) {
		return auth.AccountState{}, auth.ErrAccountNotFound
	}
	if err != nil {
		return auth.AccountState{}, fmt.Errorf("usuario state: %w", err)
	}
	return auth.AccountState{RoleID: row.IDRole, Active: row.Estado, TokenVersion: row.TokenVersion, Username: row.Email}, nil
}
