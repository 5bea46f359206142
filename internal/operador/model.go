// Package users is the Ambrosia POS operator (SPEC §6): a name + PIN
// account kept in its own table, served at /users, sharing roles, tokens
// and guards with the Kantuta usuarios.
package operador

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kantuta/kantuta/internal/role"
)

// Masked is what the PIN and the refresh token are always shown as.
const Masked = "****"

// Limits of the operator's fields.
const (
	MaxNameLen  = 100
	MaxEmailLen = 150
	MaxPhoneLen = 30
	MinPinLen   = 4
	MaxPinLen   = 12
)

// Operador is a row of the operador table with its role.
type Operador struct {
	ID           string `gorm:"primaryKey"`
	Name         string
	NameKey      string // NameKey(Name): unique among operators not deleted
	PinHash      string // bcrypt hash; never serialised
	IDRole       int    `gorm:"column:id_role"`
	Email        *string
	Phone        *string
	TokenVersion int
	DeletedAt    *time.Time // soft delete; a plain column, not gorm.DeletedAt
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Role role.Role `gorm:"foreignKey:IDRole"`
}

func (Operador) TableName() string { return "operador" }

// IsAdmin reports whether the operator holds the admin role.
func (o Operador) IsAdmin() bool { return o.IDRole == role.Admin }

// NameKey is how names are compared: trimmed and lower-cased with Unicode
// rules, the same on SQLite and PostgreSQL.
func NameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// User is an operator as GET /users and GET /users/{id} answer it; role and
// roleId are both the role's uuid (the Ambrosia routes take roles by uuid).
type User struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Pin          string `json:"pin"`
	RefreshToken string `json:"refreshToken"`
	Role         string `json:"role"`
	RoleID       string `json:"roleId"`
	IsAdmin      bool   `json:"isAdmin"`
}

// ToUser renders o for the /users listings, PIN and token masked.
func (o Operador) ToUser() User {
	return User{ID: o.ID, Name: o.Name, Pin: Masked, RefreshToken: Masked,
		Role: o.Role.UUID, RoleID: o.Role.UUID, IsAdmin: o.IsAdmin()}
}

// Profile is the "user" object of the PIN login answer and GET /users/me.
// email and phone are null when the operator has none.
type Profile struct {
	UserID  string  `json:"userId"`
	Name    string  `json:"name"`
	Email   *string `json:"email"`
	Phone   *string `json:"phone"`
	Role    string  `json:"role"`
	RoleID  string  `json:"roleId"`
	IsAdmin bool    `json:"isAdmin"`
}

// ToProfile renders o for the login answer and /users/me.
func (o Operador) ToProfile() Profile {
	return Profile{UserID: o.ID, Name: o.Name, Email: o.Email, Phone: o.Phone,
		Role: o.Role.UUID, RoleID: o.Role.UUID, IsAdmin: o.IsAdmin()}
}

// RoleJSON is a role as GET /roles answers it.
type RoleJSON struct {
	ID      string `json:"id"`
	Role    string `json:"role"`
	IsAdmin bool   `json:"isAdmin"`
}

// CanonicalID returns id lower-cased when it is a UUID in its canonical
// 36-character form, and false otherwise (braces, URNs and bare hex, which
// uuid.Parse also accepts, are refused).
func CanonicalID(id string) (string, bool) {
	if len(id) != 36 {
		return "", false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// ValidPin reports whether pin is 4 to 12 ASCII digits.
func ValidPin(pin string) bool {
	if len(pin) < MinPinLen || len(pin) > MaxPinLen {
		return false
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}
