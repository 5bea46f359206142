package usuario

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
)

// Accounts adapts the Store to auth.UsuarioAccounts.
type Accounts struct{ Store *Store }

// UsuarioCredentials implements auth.UsuarioAccounts.
func (a Accounts) UsuarioCredentials(ctx context.Context, email string) (auth.Credentials, error) {
	u, err := a.Store.ByEmail(ctx, email)
	if err == ErrNotFound {
		return auth.Credentials{}, auth.ErrNoSuchAccount
	}
	if err != nil {
		return auth.Credentials{}, err
	}
	return auth.Credentials{
		Kind: auth.KindUsuario, ID: strconv.FormatInt(u.ID, 10), Username: u.Email, Hash: u.Password,
		RoleID: u.IDRole, RoleName: u.Role.Nombre, Active: u.Estado, Version: u.TokenVersion,
	}, nil
}

// UsuarioProfile implements auth.UsuarioAccounts.
func (a Accounts) UsuarioProfile(ctx context.Context, id string) (any, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, auth.ErrNoSuchAccount
	}
	u, err := a.Store.ByID(ctx, n)
	if err == ErrNotFound {
		return nil, auth.ErrNoSuchAccount
	}
	if err != nil {
		return nil, err
	}
	return u.ToJSON(), nil
}

// SetUsuarioPasswordHash implements auth.UsuarioAccounts.
func (a Accounts) SetUsuarioPasswordHash(ctx context.Context, id, hash string, bumpVersion bool) error {
	updates := map[string]any{"password": hash}
	if bumpVersion {
		updates["token_version"] = gorm.Expr("token_version + 1")
	}
	res := a.Store.db.WithContext(ctx).Model(&Usuario{}).Where("id = ?", id).Updates(updates)
	if res.Error != nil {
		return fmt.Errorf("set password: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return auth.ErrNoSuchAccount
	}
	return nil
}
