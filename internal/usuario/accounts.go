package usuario

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/login"
)

var _ login.UsuarioAccounts = (*Store)(nil)

// UsuarioCredentials implements login.UsuarioAccounts: the usuario with
// this email, whatever its case (login.ErrNoSuchAccount if none).
func (s *Store) UsuarioCredentials(ctx context.Context, email string) (login.Credentials, error) {
	u, err := s.ByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		return login.Credentials{}, login.ErrNoSuchAccount
	}
	if err != nil {
		return login.Credentials{}, err
	}
	return credentials(u), nil
}

// UsuarioCredentialsByID implements login.UsuarioAccounts: the usuario with
// this id (login.ErrNoSuchAccount if none).
func (s *Store) UsuarioCredentialsByID(ctx context.Context, id string) (login.Credentials, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return login.Credentials{}, login.ErrNoSuchAccount
	}
	u, err := s.ByID(ctx, n)
	if errors.Is(err, ErrNotFound) {
		return login.Credentials{}, login.ErrNoSuchAccount
	}
	if err != nil {
		return login.Credentials{}, err
	}
	return credentials(u), nil
}

func credentials(u Usuario) login.Credentials {
	return login.Credentials{
		Kind: auth.KindUsuario, ID: strconv.FormatInt(u.ID, 10), Username: u.Email, Hash: u.Password,
		RoleID: u.IDRole, RoleName: u.Role.Nombre, Active: u.Estado, Version: u.TokenVersion,
		Profile: u.ToJSON(),
	}
}

// UsuarioProfile implements login.UsuarioAccounts: the full Usuario JSON.
func (s *Store) UsuarioProfile(ctx context.Context, id string) (any, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, login.ErrNoSuchAccount
	}
	u, err := s.ByID(ctx, n)
	if errors.Is(err, ErrNotFound) {
		return nil, login.ErrNoSuchAccount
	}
	if err != nil {
		return nil, err
	}
	return u.ToJSON(), nil
}

// SetUsuarioPasswordHash implements login.UsuarioAccounts; bumpVersion
// kills every token issued before.
func (s *Store) SetUsuarioPasswordHash(ctx context.Context, id, hash string, bumpVersion bool) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return login.ErrNoSuchAccount
	}
	set := map[string]any{"password": hash}
	if bumpVersion {
		set["token_version"] = gorm.Expr("token_version + 1")
	}
	res := s.db.WithContext(ctx).Model(&Usuario{}).Where("id = ?", n).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("set usuario %d password: %w", n, res.Error)
	}
	if res.RowsAffected == 0 {
		return login.ErrNoSuchAccount
	}
	return nil
}
