package login

import (
	"context"
	"errors"
	"strings"

	"github.com/kantuta/kantuta/internal/auth"
)

// NormalizeEmail is how emails are stored and compared everywhere:
// trimmed and lower-case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ErrNoSuchAccount is what account lookups answer for an unknown
// identifier (the login answers the same as for a wrong secret).
var ErrNoSuchAccount = errors.New("no such account")

// Credentials are what a login checks: the secret's hash and whether the
// account may sign in.
type Credentials struct {
	Kind     auth.Kind
	ID       string // usuario id (decimal) or operator UUID
	Username string // email or operator name
	Hash     string // bcrypt hash of the password or PIN
	RoleID   int
	RoleName string
	Active   bool
	Version  int // token version: tokens with another one are dead
	Profile  any // optional: what the login answers as "user", if already loaded
}

// UsuarioAccounts is what the /auth routes need of the usuario store.
type UsuarioAccounts interface {
	// UsuarioCredentials finds a usuario by email (ErrNoSuchAccount if none).
	UsuarioCredentials(ctx context.Context, email string) (Credentials, error)
	// UsuarioCredentialsByID finds a usuario by id (ErrNoSuchAccount if
	// none): tokens name their account by id, its email may have changed.
	UsuarioCredentialsByID(ctx context.Context, id string) (Credentials, error)
	// UsuarioProfile is the full Usuario as the login and /auth/me answer it.
	UsuarioProfile(ctx context.Context, id string) (any, error)
	// SetUsuarioPasswordHash stores a new hash; bumpVersion kills older tokens.
	SetUsuarioPasswordHash(ctx context.Context, id, hash string, bumpVersion bool) error
}

// OperatorAccounts is what the /auth routes need of the operator store
// (Ambrosia name + PIN logins).
type OperatorAccounts interface {
	// OperatorCredentials finds the active operator with this name,
	// case-insensitively (ErrNoSuchAccount if none).
	OperatorCredentials(ctx context.Context, name string) (Credentials, error)
	// OperatorProfile is the {userId,name,email,phone,role,roleId,isAdmin}
	// object of the login answer and GET /users/me.
	OperatorProfile(ctx context.Context, id string) (any, error)
	// SetOperatorPinHash stores a re-hashed PIN (cost upgrade at login).
	SetOperatorPinHash(ctx context.Context, id, hash string) error
}
