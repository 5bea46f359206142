package persona

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
)

// ErrNotFound means no persona has that id.
var ErrNotFound = errors.New("persona not found")

// Store keeps personas.
type Store struct{ db *database.DB }

// NewStore builds a Store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

// Create inserts p.
func (s *Store) Create(ctx context.Context, p *Persona) error {
	if err := s.db.WithContext(ctx).Omit("id").Create(p).Error; err != nil {
		return fmt.Errorf("create persona: %w", err)
	}
	return nil
}

// ByID returns one persona.
func (s *Store) ByID(ctx context.Context, id int64) (Persona, error) {
	var p Persona
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&p).Error
	if database.IsNotFound(err) {
		return Persona{}, ErrNotFound
	}
	if err != nil {
		return Persona{}, fmt.Errorf("persona %d: %w", id, err)
	}
	return p, nil
}

// Each calls fn for every persona by id, active and inactive, one row at
// a time, so that the whole list is never held in memory.
func (s *Store) Each(ctx context.Context, fn func(Persona) error) error {
	db := s.db.WithContext(ctx)
	rows, err := db.Model(&Persona{}).Order("id").Rows()
	if err == nil {
		err = database.EachRow(rows, func(r *sql.Rows) (Persona, error) {
			var p Persona
			err := db.ScanRows(r, &p)
			return p, err
		}, fn)
	}
	if err != nil {
		return fmt.Errorf("list personas: %w", err)
	}
	return nil
}

// Update applies f to persona id in one transaction and returns the result.
func (s *Store) Update(ctx context.Context, id int64, f Fields, actor *int64) (Persona, error) {
	var out Persona
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&out).Error; err != nil {
			if database.IsNotFound(err) {
				return ErrNotFound
			}
			return err
		}
		f.Apply(&out)
		out.IDUserUpdate = actor
		return tx.Model(&Persona{}).Where("id = ?", id).Updates(map[string]any{
			"nombres": out.Nombres, "p_apellido": out.PApellido, "s_apellido": out.SApellido,
			"fecha_nacimiento": out.FechaNacimiento, "genero": out.Genero, "id_user_update": actor,
		}).Error
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Persona{}, err
		}
		return Persona{}, fmt.Errorf("update persona %d: %w", id, err)
	}
	return s.ByID(ctx, id)
}

// Deactivate soft-deletes persona id.
func (s *Store) Deactivate(ctx context.Context, id int64, actor *int64) (Persona, error) {
	res := s.db.WithContext(ctx).Model(&Persona{}).Where("id = ?", id).
		Updates(map[string]any{"estado": false, "id_user_update": actor})
	if res.Error != nil {
		return Persona{}, fmt.Errorf("deactivate persona %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return Persona{}, ErrNotFound
	}
	return s.ByID(ctx, id)
}
