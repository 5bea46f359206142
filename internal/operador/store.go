package operador

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/role"
)

// Store errors the handlers map to HTTP.
var (
	ErrNotFound    = errors.New("operator not found")
	ErrNameTaken   = errors.New("operator name already exists")
	ErrUnknownRole = errors.New("unknown role")
	ErrLastAdmin   = errors.New("last active admin")
)

// Store keeps operators in the database. It is the login.OperatorAccounts
// of the PIN login and the operator half of auth.AccountStates.
type Store struct{ db *database.DB }

var _ login.OperatorAccounts = (*Store)(nil)

// NewStore builds a Store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

func (s *Store) active(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Joins("Role").Where("operador.deleted_at IS NULL")
}

// NewOperador is what Create needs; PinHash is already a bcrypt hash.
type NewOperador struct {
	Name    string
	PinHash string
	IDRole  int
	Email   *string
	Phone   *string
}

// Create inserts an operator with a new UUID. A name already used by an
// operator that is not deleted (compared by NameKey) is ErrNameTaken.
func (s *Store) Create(ctx context.Context, in NewOperador) (Operador, error) {
	row := Operador{
		ID: uuid.NewString(), Name: in.Name, NameKey: NameKey(in.Name), PinHash: in.PinHash,
		IDRole: in.IDRole, Email: in.Email, Phone: in.Phone,
	}
	err := s.db.WithContext(ctx).Omit("Role").Create(&row).Error
	switch {
	case database.IsUniqueViolation(err):
		return Operador{}, ErrNameTaken
	case database.IsForeignKeyViolation(err):
		return Operador{}, ErrUnknownRole
	case err != nil:
		return Operador{}, fmt.Errorf("create operator: %w", err)
	}
	return s.ByID(ctx, row.ID)
}

// ByID returns an operator that is not deleted (ErrNotFound otherwise).
func (s *Store) ByID(ctx context.Context, id string) (Operador, error) {
	id, ok := CanonicalID(id)
	if !ok {
		return Operador{}, ErrNotFound
	}
	var o Operador
	err := s.active(ctx).Where("operador.id = ?", id).Take(&o).Error
	if database.IsNotFound(err) {
		return Operador{}, ErrNotFound
	}
	if err != nil {
		return Operador{}, fmt.Errorf("operator %s: %w", id, err)
	}
	return o, nil
}

// List returns the operators that are not deleted, by name.
func (s *Store) List(ctx context.Context) ([]Operador, error) {
	var out []Operador
	if err := s.active(ctx).Order("operador.name_key, operador.id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	return out, nil
}

// Changes are the fields an update may set; nil means "leave as is". An
// empty Email or Phone clears it.
type Changes struct {
	Name    *string
	PinHash *string
	IDRole  *int
	Email   *string
	Phone   *string
}

// Empty reports whether c changes nothing.
func (c Changes) Empty() bool {
	return c.Name == nil && c.PinHash == nil && c.IDRole == nil && c.Email == nil && c.Phone == nil
}

// Update applies c in one transaction. A new PIN ends the operator's
// sessions (token version bumped); demoting the last active admin, usuario
// or operator, is ErrLastAdmin. Deleted operators are ErrNotFound.
func (s *Store) Update(ctx context.Context, id string, c Changes) (Operador, error) {
	id, ok := CanonicalID(id)
	if !ok {
		return Operador{}, ErrNotFound
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		demotes := c.IDRole != nil && *c.IDRole != role.Admin
		var others int64
		if demotes {
			// Lock the admin set before the row, the order Delete uses too.
			n, err := s.otherActiveAdmins(tx, id)
			if err != nil {
				return err
			}
			others = n
		}
		cur, err := s.lockActive(tx, id)
		if err != nil {
			return err
		}
		if demotes && cur.IDRole == role.Admin && others == 0 {
			return ErrLastAdmin
		}
		updates := map[string]any{"updated_at": time.Now().UTC()}
		if c.Name != nil {
			updates["name"] = *c.Name
			updates["name_key"] = NameKey(*c.Name)
		}
		if c.PinHash != nil {
			updates["pin_hash"] = *c.PinHash
			updates["token_version"] = gorm.Expr("token_version + 1")
		}
		if c.IDRole != nil {
			updates["id_role"] = *c.IDRole
		}
		if c.Email != nil {
			updates["email"] = nullIfEmpty(*c.Email)
		}
		if c.Phone != nil {
			updates["phone"] = nullIfEmpty(*c.Phone)
		}
		return tx.Model(&Operador{}).Where("id = ?", id).Updates(updates).Error
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrLastAdmin):
		return Operador{}, err
	case database.IsUniqueViolation(err):
		return Operador{}, ErrNameTaken
	case database.IsForeignKeyViolation(err):
		return Operador{}, ErrUnknownRole
	case err != nil:
		return Operador{}, fmt.Errorf("update operator %s: %w", id, err)
	}
	return s.ByID(ctx, id)
}

// Delete soft-deletes an operator: the name is freed, the token version
// bumped so that every session ends. Removing the last active admin,
// usuario or operator, is ErrLastAdmin; an unknown or already deleted
// operator is ErrNotFound.
func (s *Store) Delete(ctx context.Context, id string) error {
	id, ok := CanonicalID(id)
	if !ok {
		return ErrNotFound
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		others, err := s.otherActiveAdmins(tx, id)
		if err != nil {
			return err
		}
		cur, err := s.lockActive(tx, id)
		if err != nil {
			return err
		}
		if cur.IDRole == role.Admin && others == 0 {
			return ErrLastAdmin
		}
		now := time.Now().UTC()
		return tx.Model(&Operador{}).Where("id = ?", id).Updates(map[string]any{
			"deleted_at": now, "updated_at": now, "token_version": gorm.Expr("token_version + 1"),
		}).Error
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrLastAdmin) {
		return fmt.Errorf("delete operator %s: %w", id, err)
	}
	return err
}

// lockActive reads the operator row for update (PostgreSQL; SQLite write
// transactions are serialised anyway).
func (s *Store) lockActive(tx *gorm.DB, id string) (Operador, error) {
	q := tx.Where("id = ? AND deleted_at IS NULL", id)
	if s.db.IsPostgres() {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var o Operador
	err := q.Take(&o).Error
	if database.IsNotFound(err) {
		return Operador{}, ErrNotFound
	}
	return o, err
}

// otherActiveAdmins counts the active admins, usuarios and operators, other
// than operator id (the rule is shared with the usuario store).
func (s *Store) otherActiveAdmins(tx *gorm.DB, id string) (int64, error) {
	return database.OtherActiveAdmins(tx, s.db.IsPostgres(), role.Admin, string(auth.KindOperador), id)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// OperatorCredentials implements login.OperatorAccounts: the operator that
// is not deleted with this name, compared as NameKey does
// (login.ErrNoSuchAccount if none).
func (s *Store) OperatorCredentials(ctx context.Context, name string) (login.Credentials, error) {
	key := NameKey(name)
	if key == "" {
		return login.Credentials{}, login.ErrNoSuchAccount
	}
	var o Operador
	err := s.active(ctx).Where("operador.name_key = ?", key).Take(&o).Error
	if database.IsNotFound(err) {
		return login.Credentials{}, login.ErrNoSuchAccount
	}
	if err != nil {
		return login.Credentials{}, fmt.Errorf("operator credentials: %w", err)
	}
	return login.Credentials{
		Kind: auth.KindOperador, ID: o.ID, Username: o.Name, Hash: o.PinHash,
		RoleID: o.IDRole, RoleName: o.Role.Nombre, Active: true, Version: o.TokenVersion,
	}, nil
}

// OperatorProfile implements login.OperatorAccounts: the Profile of an
// operator that is not deleted (login.ErrNoSuchAccount otherwise).
func (s *Store) OperatorProfile(ctx context.Context, id string) (any, error) {
	o, err := s.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, login.ErrNoSuchAccount
	}
	if err != nil {
		return nil, err
	}
	return o.ToProfile(), nil
}

// SetOperatorPinHash implements login.OperatorAccounts: it stores a
// re-hashed PIN without ending sessions (login.ErrNoSuchAccount if the
// operator is unknown or deleted).
func (s *Store) SetOperatorPinHash(ctx context.Context, id, hash string) error {
	id, ok := CanonicalID(id)
	if !ok {
		return login.ErrNoSuchAccount
	}
	res := s.db.WithContext(ctx).Model(&Operador{}).Where("id = ? AND deleted_at IS NULL", id).
		Updates(map[string]any{"pin_hash": hash, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("set operator pin hash: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return login.ErrNoSuchAccount
	}
	return nil
}

// AccountState is the operator half of auth.AccountStates: a deleted
// operator is inactive; an unknown one is auth.ErrAccountNotFound.
func (s *Store) AccountState(ctx context.Context, id string) (auth.AccountState, error) {
	id, ok := CanonicalID(id)
	if !ok {
		return auth.AccountState{}, auth.ErrAccountNotFound
	}
	var row struct {
		IDRole       int
		TokenVersion int
		Name         string
		DeletedAt    *time.Time
		Nombre       string
	}
	err := s.db.WithContext(ctx).Table("operador").
		Select("operador.id_role, operador.token_version, operador.name, operador.deleted_at, role.nombre").
		Joins("JOIN role ON role.id = operador.id_role").Where("operador.id = ?", id).Take(&row).Error
	if database.IsNotFound(err) {
		return auth.AccountState{}, auth.ErrAccountNotFound
	}
	if err != nil {
		return auth.AccountState{}, fmt.Errorf("operator state: %w", err)
	}
	return auth.AccountState{RoleID: row.IDRole, Active: row.DeletedAt == nil, TokenVersion: row.TokenVersion,
		Username: row.Name, RoleName: row.Nombre}, nil
}
