package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/usuario"
)

// Prepare applies the configured role names and creates the first admin
// when no usuario exists. It returns the generated password, if any, for
// the caller to show once.
func (a *App) Prepare(ctx context.Context) (adminEmail, generatedPassword string, err error) {
	if err := a.Roles.ApplyNames(ctx, a.Config.RoleNames); err != nil {
		return "", "", fmt.Errorf("apply ROLE_NAMES: %w", err)
	}
	n, err := a.Usuarios.Count(ctx)
	if err != nil {
		return "", "", err
	}
	if n > 0 {
		return "", "", nil
	}
	password := a.Config.AdminPassword
	if password == "" {
		password = RandomPassword(16)
		generatedPassword = password
	}
	if _, err := a.CreateAdmin(ctx, a.Config.AdminEmail, password); err != nil {
		return "", "", err
	}
	return a.Config.AdminEmail, generatedPassword, nil
}

// credentials are checked by the API's own rules (POST /usuario/register),
// so that an account made from the command line can always sign in.
type credentials struct {
	Email    string `json:"email" validate:"required,email,max=150"`
	Password string `json:"password" validate:"minbytes=8,maxbytes=72"`
}

func (a *App) checkCredentials(email, password string) error {
	if msgs := a.Validator.Messages(credentials{Email: email, Password: password}); len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// CreateAdmin creates an admin usuario with a placeholder persona that the
// admin completes later through PUT /persona.
func (a *App) CreateAdmin(ctx context.Context, email, password string) (usuario.Usuario, error) {
	email = usuario.NormalizeEmail(email)
	if err := a.checkCredentials(email, password); err != nil {
		return usuario.Usuario{}, fmt.Errorf("create admin: %w", err)
	}
	hash, err := a.Hasher.Hash(ctx, password)
	if err != nil {
		return usuario.Usuario{}, fmt.Errorf("create admin: %w", err)
	}
	u := usuario.Usuario{
		Name: "Administrador", Email: email, Password: hash, IDRole: role.Admin, Estado: true,
		Persona: persona.Persona{
			Nombres: "Administrador", PApellido: "Kantuta", Genero: "O", Estado: true,
			FechaNacimiento: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		},
	}
	if err := a.Usuarios.Create(ctx, &u); err != nil {
		return usuario.Usuario{}, fmt.Errorf("create admin %s: %w", email, err)
	}
	return u, nil
}

// ErrNoUsuario is ResetPassword's answer for an email no usuario has.
var ErrNoUsuario = errors.New("no usuario has that email")

// ResetPassword sets the password of the usuario with that email from the
// command line: the way back in when the first admin's password is lost.
// An empty password gets a random one, returned. Every session of the
// account ends and a login lockout on it is lifted; its estado is left as
// it is (the caller may say so).
func (a *App) ResetPassword(ctx context.Context, email, password string) (usuario.Usuario, string, error) {
	email = usuario.NormalizeEmail(email)
	if password == "" {
		password = RandomPassword(16)
	}
	if err := a.checkCredentials(email, password); err != nil {
		return usuario.Usuario{}, "", err
	}
	u, err := a.Usuarios.ByEmail(ctx, email)
	if err != nil {
		if database.IsNotFound(err) || errors.Is(err, usuario.ErrNotFound) {
			return usuario.Usuario{}, "", fmt.Errorf("%w: %s", ErrNoUsuario, email)
		}
		return usuario.Usuario{}, "", err
	}
	hash, err := a.Hasher.Hash(ctx, password)
	if err != nil {
		return usuario.Usuario{}, "", err
	}
	id := strconv.FormatInt(u.ID, 10)
	if err := a.Usuarios.SetUsuarioPasswordHash(ctx, id, hash, true); err != nil {
		return usuario.Usuario{}, "", err
	}
	if _, err := a.Sessions.RevokeAll(ctx, auth.KindUsuario, id, ""); err != nil {
		return usuario.Usuario{}, "", err
	}
	if err := a.Lockout.Reset(ctx, "usuario:"+email); err != nil {
		return usuario.Usuario{}, "", err
	}
	return u, password, nil
}

// RandomPassword returns n characters from an alphabet without look-alikes.
func RandomPassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}
