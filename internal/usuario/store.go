package usuario

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/login"
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

func (s *Store) withRelations(ctx context.Context) *gorm.DB {
	// One query with two joins: no N+1 when listing.
	return s.db.WithContext(ctx).Joins("Persona").Joins("Role")
}

// Create inserts the persona and the usuario in one transaction: both or
// neither. A duplicate email is ErrEmailTaken. also, when given, runs in the
// same transaction (the welcome mail is queued there, so it exists only if
// the usuario does).
func (s *Store) Create(ctx context.Context, u *Usuario, also ...func(tx *gorm.DB) error) error {
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
		for _, f := range also {
			if f == nil {
				continue
			}
			if err := f(tx); err != nil {
				return fmt.Errorf("registration side effect: %w", err)
			}
		}
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
//
// It is the hottest read (every GET /usuario/:id and GET /auth/me; the login answers from ByEmail),
// so it is one hand-written query on database/sql, scanned column by
// column, without GORM's statement building or joined-struct mapping.
func (s *Store) ByID(ctx context.Context, id int64) (Usuario, error) {
	u, err := scanUsuario(s.db.SQL.QueryRowContext(ctx, byIDQuery, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Usuario{}, ErrNotFound
	}
	if err != nil {
		return Usuario{}, fmt.Errorf("usuario %d: %w", id, err)
	}
	return u, nil
}

// Each calls fn for every usuario (inactive ones included) in id order,
// one row at a time, so that the whole list is never held in memory, with
// the usuario_list_version the rows were read at (one statement: one
// snapshot on both databases). Only the columns the list shows are read.
func (s *Store) Each(ctx context.Context, fn func(u Usuario, version int64) error) error {
	rows, err := s.db.SQL.QueryContext(ctx, listQuery)
	if err == nil {
		type row struct {
			u       Usuario
			version int64
		}
		err = database.EachRow(rows, func(r *sql.Rows) (row, error) {
			var x row
			err := r.Scan(append(shownColumns(&x.u), &x.version)...)
			return x, err
		}, func(x row) error { return fn(x.u, x.version) })
	}
	if err != nil {
		return fmt.Errorf("list usuarios: %w", err)
	}
	return nil
}

// View returns one usuario with persona and role, only the columns its
// JSON shows: what GET /usuario/:id answers, its hottest read (a third of
// that request's CPU went to scanning the columns ByID reads besides).
// It also returns the usuario_list_version the row was read at (one
// statement: one snapshot).
func (s *Store) View(ctx context.Context, id int64) (Usuario, int64, error) {
	var u Usuario
	var version int64
	err := s.db.SQL.QueryRowContext(ctx, viewQuery, id).Scan(append(shownColumns(&u), &version)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Usuario{}, 0, ErrNotFound
	}
	if err != nil {
		return Usuario{}, 0, fmt.Errorf("usuario %d: %w", id, err)
	}
	return u, version, nil
}

// shownColumns are the scan targets of shownSelect.
func shownColumns(u *Usuario) []any {
	p, r := &u.Persona, &u.Role
	return []any{&u.ID, &u.Name, &u.Email, &u.Estado, &u.IDUserCreate, &u.IDUserUpdate, &u.CreatedAt, &u.UpdatedAt,
		&p.ID, &p.Nombres, &p.PApellido, &p.SApellido, &p.FechaNacimiento, &p.Genero, &p.Estado,
		&p.IDUserCreate, &p.IDUserUpdate, &p.CreatedAt, &p.UpdatedAt,
		&r.ID, &r.Nombre, &r.Descripcion}
}

// ListVersion is the number every change to a usuario, persona or role
// raises (usuario_list_version, kept by triggers): GET /usuario's answer
// read at this version is still the answer.
func (s *Store) ListVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.SQL.QueryRowContext(ctx, listVersionQuery).Scan(&v); err != nil {
		return 0, fmt.Errorf("usuario list version: %w", err)
	}
	return v, nil
}

// scanUsuario reads one row of usuarioSelect.
func scanUsuario(row interface{ Scan(...any) error }) (Usuario, error) {
	var u Usuario
	p, r := &u.Persona, &u.Role
	err := row.Scan(
		&u.ID, &u.Name, &u.Email, &u.Password, &u.IDPersona, &u.IDRole, &u.TokenVersion, &u.Estado,
		&u.IDUserCreate, &u.IDUserUpdate, &u.CreatedAt, &u.UpdatedAt,
		&p.ID, &p.Nombres, &p.PApellido, &p.SApellido, &p.FechaNacimiento, &p.Genero, &p.Estado,
		&p.IDUserCreate, &p.IDUserUpdate, &p.CreatedAt, &p.UpdatedAt,
		&r.ID, &r.UUID, &r.Nombre, &r.Descripcion, &r.Estado, &r.CreatedAt, &r.UpdatedAt)
	return u, err
}

const usuarioSelect = `SELECT u.id, u.name, u.email, u.password, u.id_persona, u.id_role, u.token_version, u.estado,
	u.id_user_create, u.id_user_update, u.created_at, u.updated_at,
	p.id, p.nombres, p.p_apellido, p.s_apellido, p.fecha_nacimiento, p.genero, p.estado,
	p.id_user_create, p.id_user_update, p.created_at, p.updated_at,
	r.id, r.uuid, r.nombre, r.descripcion, r.estado, r.created_at, r.updated_at
FROM usuario u JOIN persona p ON p.id = u.id_persona JOIN role r ON r.id = u.id_role`

// Both databases read $1 as the first argument, so one text serves both.
const byIDQuery = usuarioSelect + "\nWHERE u.id = $1"

// shownSelect reads what a usuario's JSON shows, nothing else.
const shownSelect = `SELECT u.id, u.name, u.email, u.estado, u.id_user_create, u.id_user_update, u.created_at, u.updated_at,
	p.id, p.nombres, p.p_apellido, p.s_apellido, p.fecha_nacimiento, p.genero, p.estado,
	p.id_user_create, p.id_user_update, p.created_at, p.updated_at,
	r.id, r.nombre, r.descripcion`

const (
	viewQuery = shownSelect + `, lv.version
FROM usuario u JOIN persona p ON p.id = u.id_persona JOIN role r ON r.id = u.id_role
CROSS JOIN usuario_list_version lv
WHERE u.id = $1`
	listQuery = shownSelect + `, lv.version
FROM usuario u JOIN persona p ON p.id = u.id_persona JOIN role r ON r.id = u.id_role
CROSS JOIN usuario_list_version lv
ORDER BY u.id`
	listVersionQuery = "SELECT version FROM usuario_list_version WHERE id = 1"
)

// ByEmail returns one usuario by its (case-insensitive) email.
func (s *Store) ByEmail(ctx context.Context, email string) (Usuario, error) {
	var u Usuario
	err := s.withRelations(ctx).Where("usuario.email = ?", login.NormalizeEmail(email)).Take(&u).Error
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
		Nombre       string
	}
	err = s.db.WithContext(ctx).Table("usuario").
		Select("usuario.id_role, usuario.estado, usuario.token_version, usuario.email, role.nombre").
		Joins("JOIN role ON role.id = usuario.id_role").Where("usuario.id = ?", n).Take(&row).Error
	if database.IsNotFound(err) {
		return auth.AccountState{}, auth.ErrAccountNotFound
	}
	if err != nil {
		return auth.AccountState{}, fmt.Errorf("usuario state: %w", err)
	}
	return auth.AccountState{RoleID: row.IDRole, Active: row.Estado, TokenVersion: row.TokenVersion,
		Username: row.Email, RoleName: row.Nombre}, nil
}

// Page selects a slice of a list (Page from 1, Limit rows).
type Page struct {
	Page, Limit int
}

// List returns one page of usuarios by id, inactive ones included, and the
// total. The whole list is Each's job.
func (s *Store) List(ctx context.Context, p Page) ([]Usuario, int64, error) {
	var total int64
	if err := s.db.WithContext(ctx).Model(&Usuario{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count usuarios: %w", err)
	}
	// Deferred join: the page's ids from the primary key alone, then the
	// joins for those rows only.
	ids := s.db.WithContext(ctx).Model(&Usuario{}).Select("id").Order("id").
		Limit(p.Limit).Offset((p.Page - 1) * p.Limit)
	var out []Usuario
	if err := s.withRelations(ctx).Order("usuario.id").Where("usuario.id IN (?)", ids).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list usuarios: %w", err)
	}
	return out, total, nil
}

// Changes are the fields a PATCH may set; nil means "leave as is".
type Changes struct {
	Name         *string
	Email        *string
	PasswordHash *string
	Estado       *bool
	IDRole       *int
	ActorID      *int64
	// Also, when set, runs in the update's transaction with the row as it
	// was before (the notice to an old email address is queued there).
	Also func(tx *gorm.DB, before Usuario) error
}

// Update applies changes in one transaction, refusing to leave the shop
// without an active admin.
func (s *Store) Update(ctx context.Context, id int64, c Changes) (Usuario, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur Usuario
		if err := s.lockRow(tx, id, &cur); err != nil {
			return err
		}
		updates := map[string]any{"id_user_update": c.ActorID}
		if c.Name != nil {
			updates["name"] = *c.Name
		}
		if c.Email != nil {
			updates["email"] = login.NormalizeEmail(*c.Email)
		}
		if c.PasswordHash != nil {
			updates["password"] = *c.PasswordHash
		}
		if c.Estado != nil {
			updates["estado"] = *c.Estado
		}
		if c.IDRole != nil {
			updates["id_role"] = *c.IDRole
		}
		losesAdmin := cur.IDRole == role.Admin && cur.Estado &&
			((c.Estado != nil && !*c.Estado) || (c.IDRole != nil && *c.IDRole != role.Admin))
		if losesAdmin {
			if err := s.ensureAnotherAdmin(tx, id); err != nil {
				return err
			}
		}
		if err := tx.Model(&Usuario{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		if c.Also != nil {
			return c.Also(tx, cur)
		}
		return nil
	})
	if database.IsUniqueViolation(err) {
		return Usuario{}, ErrEmailTaken
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrLastAdmin) {
			return Usuario{}, err
		}
		return Usuario{}, fmt.Errorf("update usuario %d: %w", id, err)
	}
	return s.ByID(ctx, id)
}

// Deactivate is the soft delete: estado false, same last-admin rule.
func (s *Store) Deactivate(ctx context.Context, id int64, actor *int64) (Usuario, error) {
	f := false
	return s.Update(ctx, id, Changes{Estado: &f, ActorID: actor})
}

func (s *Store) lockRow(tx *gorm.DB, id int64, into *Usuario) error {
	q := tx.Where("id = ?", id)
	if s.db.IsPostgres() {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(into).Error
	if database.IsNotFound(err) {
		return ErrNotFound
	}
	return err
}

// ensureAnotherAdmin fails with ErrLastAdmin unless an active admin other
// than usuario id exists, among usuarios or operators.
func (s *Store) ensureAnotherAdmin(tx *gorm.DB, id int64) error {
	n, err := database.OtherActiveAdmins(tx, s.db.IsPostgres(), role.Admin, string(auth.KindUsuario), strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}

// PersonaOf returns the persona id of a usuario (for "own persona" checks).
func (s *Store) PersonaOf(ctx context.Context, usuarioID int64) (int64, error) {
	var pid int64
	err := s.db.WithContext(ctx).Model(&Usuario{}).Select("id_persona").Where("id = ?", usuarioID).Take(&pid).Error
	if database.IsNotFound(err) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("persona of usuario: %w", err)
	}
	return pid, nil
}

// BacksActiveUsuario reports whether an active usuario owns persona pid.
func (s *Store) BacksActiveUsuario(ctx context.Context, pid int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Usuario{}).Where("id_persona = ? AND estado", pid).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("usuario of persona: %w", err)
	}
	return n > 0, nil
}
