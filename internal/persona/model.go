// Package persona is the personal-data half of the Kantuta identity model:
// real name, date of birth and gender, one per usuario (or standalone).
package persona

import (
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/jsonappend"
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

// AppendJSON appends p as encoding/json writes it, without reflection (the
// persona and usuario lists write their rows with it).
func (p JSON) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonappend.Int(b, p.ID)
	b = append(b, `,"nombres":`...)
	b = jsonappend.String(b, p.Nombres)
	b = append(b, `,"p_apellido":`...)
	b = jsonappend.String(b, p.PApellido)
	b = append(b, `,"s_apellido":`...)
	b = jsonappend.StringPtr(b, p.SApellido)
	b = append(b, `,"fecha_nacimiento":`...)
	b = jsonappend.Date(b, time.Time(p.FechaNacimiento))
	b = append(b, `,"genero":`...)
	b = jsonappend.String(b, p.Genero)
	b = append(b, `,"estado":`...)
	b = jsonappend.Bool(b, p.Estado)
	b = append(b, `,"id_user_create":`...)
	b = jsonappend.IntPtr(b, p.IDUserCreate)
	b = append(b, `,"id_user_update":`...)
	b = jsonappend.IntPtr(b, p.IDUserUpdate)
	b = append(b, `,"created_at":`...)
	b = jsonappend.Time(b, time.Time(p.CreatedAt))
	b = append(b, `,"updated_at":`...)
	b = jsonappend.Time(b, time.Time(p.UpdatedAt))
	return append(b, '}')
}
