// Package persona is the personal-data half of the Kantuta identity model:
// real name, date of birth and gender, one per usuario (or standalone).
package persona

import (
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// Persona is a row of the persona table.
type Persona struct {
	ID              int64 `gorm:"primaryKey"`
	Nombres         string
	PApellido       string `gorm:"column:p_apellido"`
	SApellido       *string
	FechaNacimiento time.Time `gorm:"column:fecha_nacimiento;type:date"`
	Genero          string
	Estado          bool
	IDUserCreate    *int64
	IDUserUpdate    *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (Persona) TableName() string { return "persona" }

// JSON is a Persona on the wire, exactly as seed 002's interface.
type JSON struct {
	ID              int64        `json:"id"`
	Nombres         string       `json:"nombres"`
	PApellido       string       `json:"p_apellido"`
	SApellido       *string      `json:"s_apellido"`
	FechaNacimiento httpapi.Date `json:"fecha_nacimiento"`
	Genero          string       `json:"genero"`
	Estado          bool         `json:"estado"`
	IDUserCreate    *int64       `json:"id_user_create"`
	IDUserUpdate    *int64       `json:"id_user_update"`
	CreatedAt       httpapi.Time `json:"created_at"`
	UpdatedAt       httpapi.Time `json:"updated_at"`
}

// ToJSON renders p for responses.
func (p Persona) ToJSON() JSON {
	return JSON{
		ID: p.ID, Nombres: p.Nombres, PApellido: p.PApellido, SApellido: p.SApellido,
		FechaNacimiento: httpapi.Date(p.FechaNacimiento), Genero: p.Genero, Estado: p.Estado,
		IDUserCreate: p.IDUserCreate, IDUserUpdate: p.IDUserUpdate,
		CreatedAt: httpapi.Time(p.CreatedAt), UpdatedAt: httpapi.Time(p.UpdatedAt),
	}
}
