package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"github.com/kantuta/kantuta/internal/login"
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

// CreateAdmin creates an admin usuario with a placeholder persona that the
// admin completes later through PUT /persona.
func (a *App) CreateAdmin(ctx context.Context, email, password string) (usuario.Usuario, error) {
	if len(password) < 8 || len(password) > 72 {
		return usuario.Usuario{}, fmt.Errorf("create admin: the password must be 8 to 72 bytes")
	}
	hash, err := a.Hasher.Hash(ctx, password)
	if err != nil {
		return usuario.Usuario{}, fmt.Errorf("create admin: %w", err)
	}
	email = login.NormalizeEmail(email)
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
