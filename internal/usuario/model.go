// Package usuario is the Kantuta login account: email, password, role, and
// exactly one persona.
package usuario

import (
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/role"
)

// Usuario is a row of the usuario table with its persona and role.
type Usuario struct {
	ID           int64 `gorm:"primaryKey"`
	Name         string
	Email        string
	Password     string // bcrypt hash; never serialised
	IDPersona    int64  `gorm:"column:id_persona"`
	IDRole       int    `gorm:"column:id_role"`
	TokenVersion int
	Estado       bool
	IDUserCreate *int64
	IDUserUpdate *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Persona persona.Persona `gorm:"foreignKey:IDPersona"`
	Role    role.Role       `gorm:"foreignKey:IDRole"`
}

func (Usuario) TableName() string { return "usuario" }

// JSON is a Usuario on the wire, exactly as seed 002's interface (no hash).
type JSON struct {
	ID           int64        `json:"id"`
	Name         string       `json:"name"`
	Email        string       `json:"email"`
	Estado       bool         `json:"estado"`
	IDUserCreate *int64       `json:"id_user_create"`
	IDUserUpdate *int64       `json:"id_user_update"`
	CreatedAt    httpapi.Time `json:"created_at"`
	UpdatedAt    httpapi.Time `json:"updated_at"`
	Persona      persona.JSON `json:"persona"`
	Role         role.JSON    `json:"role"`
}

// ToJSON renders u for responses.
func (u Usuario) ToJSON() JSON {
	return JSON{
		ID: u.ID, Name: u.Name, Email: u.Email, Estado: u.Estado,
		IDUserCreate: u.IDUserCreate, IDUserUpdate: u.IDUserUpdate,
		CreatedAt: httpapi.Time(u.CreatedAt), UpdatedAt: httpapi.Time(u.UpdatedAt),
		Persona: u.Persona.ToJSON(), Role: u.Role.ToJSON(),
	}
}
