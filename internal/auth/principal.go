// Package auth holds what every route family shares about identity: the
// tokens, the principal in the request context, the middleware that finds
// it and the guards that require it, password hashing, lockout, and the
// /auth routes.
package auth

import (
	"context"
	"strconv"
)

// Kind says which sort of account a token belongs to.
type Kind string

const (
	KindUsuario  Kind = "usuario"  // Kantuta account: email + password + persona
	KindOperador Kind = "operador" // Ambrosia POS operator: name + PIN
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Kind     Kind
	ID       string // usuario id (decimal) or operator UUID
	RoleID   int
	Username string
	Family   string // refresh-token family of the session
	TokenID  string
}

// UsuarioID returns the numeric id of a usuario principal, or 0 for an operator.
func (p Principal) UsuarioID() int64 {
	if p.Kind != KindUsuario {
		return 0
	}
	id, _ := strconv.ParseInt(p.ID, 10, 64)
	return id
}

// ActorID is the usuario id the audit columns (id_user_create,
// id_user_update) record for the caller in ctx: always from the token, nil
// for anonymous callers and operators.
func ActorID(ctx context.Context) *int64 {
	if p, ok := PrincipalFrom(ctx); ok && p.Kind == KindUsuario {
		id := p.UsuarioID()
		return &id
	}
	return nil
}

// IsUsuario reports whether the caller is the usuario with this id: an
// operator is never "self" for a usuario or persona.
func (p Principal) IsUsuario(id int64) bool { return p.Kind == KindUsuario && p.UsuarioID() == id }

// HasRole reports whether the caller holds one of roles.
func (p Principal) HasRole(roles ...int) bool {
	for _, r := range roles {
		if p.RoleID == r {
			return true
		}
	}
	return false
}

type ctxKey int

const (
	keyPrincipal ctxKey = iota
	keyAuthFailure
)

// WithPrincipal stores p in ctx (tests and the middleware use it).
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, keyPrincipal, p)
}

// PrincipalFrom returns the caller, if the request carried a valid token.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(keyPrincipal).(Principal)
	return p, ok
}
