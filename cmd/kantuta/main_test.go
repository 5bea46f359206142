package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	// The .env file in the working directory is read; the environment wins over it.
	if err := os.WriteFile(".env", []byte("DATABASE_URL=sqlite:"+filepath.Join(dir, "from-env-file.db")+"\nSALT_ROUNDS=4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KANTUTA_DATA_DIR", dir)

	cases := []struct {
		name    string
		args    []string
		wantErr bool
		want    string
	}{
		{"version", []string{"version"}, false, "kantuta dev"},
		{"status before migrating", []string{"migrate", "status"}, false, "pending"},
		{"migrate up", []string{"migrate", "up"}, false, "applied 00001_roles.sql"},
		{"migrate up again", []string{"migrate", "up"}, false, "up to date"},
		{"status after", []string{"migrate", "status"}, false, "applied 20"},
		{"admin create", []string{"admin", "create", "--email", "Jefa@Tienda.bo", "--password", "SuperClave123"}, false, "admin created: id 1, jefa@tienda.bo"},
		{"admin create duplicate", []string{"admin", "create", "--email", "jefa@tienda.bo", "--password", "SuperClave123"}, true, ""},
		{"admin create short password", []string{"admin", "create", "--email", "b@tienda.bo", "--password", "short"}, true, ""},
		{"admin create missing flags", []string{"admin", "create"}, true, ""},
		{"reportes rebuild", []string{"reportes", "rebuild"}, false, "(America/La_Paz): 0 ventas, 0 lines → 0 resumen_ventas_dia rows"},
		{"reportes without rebuild", []string{"reportes"}, true, ""},
		{"migrate down", []string{"migrate", "down"}, false, "rolled back"},
		{"unknown migrate command", []string{"migrate", "sideways"}, true, ""},
		{"unknown command", []string{"bogus"}, true, "Usage"},
	}
	for _, tc := range cases {
		out, err := runCLI(t, tc.args...)
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s: err = %v, want error %v (output %q)", tc.name, err, tc.wantErr, out)
		}
		if !strings.Contains(out, tc.want) {
			t.Fatalf("%s: output %q lacks %q", tc.name, out, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "from-env-file.db")); err != nil {
		t.Fatalf("DATABASE_URL from .env not used: %v", err)
	}
}

func TestProductionRefusesUnsafeConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("KANTUTA_ENV", "production")
	t.Setenv("JWT_SECRET", "short")
	_, err := runCLI(t, "migrate", "status")
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET") {
		t.Fatalf("production with a short secret: %v", err)
	}
}
