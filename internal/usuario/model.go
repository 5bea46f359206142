// Package usuario is the Kantuta login account: email, password, role, and
// exactly one persona.
package usuario

import (
	"time"

	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/jsonappend"
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

// AppendJSON appends u as encoding/json writes it, without reflection: the
// 202-row list spent 40% of its CPU in encoding/json (issue 19).
// TestJSONAppendMatchesEncoding holds the two together.
func (u JSON) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonappend.Int(b, u.ID)
	b = append(b, `,"name":`...)
	b = jsonappend.String(b, u.Name)
	b = append(b, `,"email":`...)
	b = jsonappend.String(b, u.Email)
	b = append(b, `,"estado":`...)
	b = jsonappend.Bool(b, u.Estado)
	b = append(b, `,"id_user_create":`...)
	b = jsonappend.IntPtr(b, u.IDUserCreate)
	b = append(b, `,"id_user_update":`...)
	b = jsonappend.IntPtr(b, u.IDUserUpdate)
	b = append(b, `,"created_at":`...)
	b = jsonappend.Time(b, time.Time(u.CreatedAt))
	b = append(b, `,"updated_at":`...)
	b = jsonappend.Time(b, time.Time(u.UpdatedAt))
	b = append(b, `,"persona":`...)
	b = u.Persona.AppendJSON(b)
	b = append(b, `,"role":`...)
	b = u.Role.AppendJSON(b)
	return append(b, '}')
}
