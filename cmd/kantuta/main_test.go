package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs the CLI as main does and returns its output and exit status.
func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := exitCode(run(args, &out, &errOut), &errOut)
	return out.String() + errOut.String(), code
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
		name string
		args []string
		code int
		want string
	}{
		{"version", []string{"version"}, 0, "kantuta dev"},
		{"status before migrating", []string{"migrate", "status"}, 0, "schema version: 0 (no database yet at"},
		{"migrate up", []string{"migrate", "up"}, 0, "applied 00001_roles.sql"},
		{"migrate up again", []string{"migrate", "up"}, 0, "up to date"},
		{"status after", []string{"migrate", "status"}, 0, "applied 20"},
		{"admin create", []string{"admin", "create", "--email", "Jefa@Tienda.bo", "--password", "SuperClave123"}, 0, "admin created: id 1, jefa@tienda.bo"},
		{"admin create duplicate", []string{"admin", "create", "--email", "jefa@tienda.bo", "--password", "SuperClave123"}, 1, ""},
		{"admin create short password", []string{"admin", "create", "--email", "b@tienda.bo", "--password", "short"}, 1, "password"},
		{"admin create bad email", []string{"admin", "create", "--email", "bad", "--password", "SuperClave123"}, 1, "email debe ser un correo válido"},
		{"admin create missing flags", []string{"admin", "create"}, 2, "admin create needs --email and --password"},
		{"admin reset unknown email", []string{"admin", "reset-password", "--email", "nadie@tienda.bo"}, 1, "no usuario has that email"},
		{"admin reset random", []string{"admin", "reset-password", "--email", "JEFA@tienda.bo"}, 0, "new password: "},
		{"admin reset given", []string{"admin", "reset-password", "--email", "jefa@tienda.bo", "--password", "OtraClave456"}, 0, "password reset for usuario 1"},
		{"admin reset short", []string{"admin", "reset-password", "--email", "jefa@tienda.bo", "--password", "corta"}, 1, "password"},
		{"reportes rebuild", []string{"reportes", "rebuild"}, 0, "(America/La_Paz): 0 ventas, 0 lines → 0 resumen_ventas_dia rows"},
		{"reportes without rebuild", []string{"reportes"}, 2, "rebuild"},
		{"migrate down", []string{"migrate", "down"}, 0, "rolled back"},
		{"unknown migrate command", []string{"migrate", "sideways"}, 2, "unknown migrate command"},
		{"unknown command", []string{"bogus"}, 2, "Usage"},
	}
	for _, tc := range cases {
		out, code := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Fatalf("%s: exit %d (want %d), output %q lacks %q", tc.name, code, tc.code, out, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "from-env-file.db")); err != nil {
		t.Fatalf("DATABASE_URL from .env not used: %v", err)
	}
	out, _ := runCLI(t, "migrate", "status")
	if !strings.HasPrefix(out, "schema version: ") || !strings.Contains(strings.SplitN(out, "\n", 2)[0], "1 pending") {
		t.Fatalf("status after one rollback: first line %q", strings.SplitN(out, "\n", 2)[0])
	}
}

// TestHelpAndUsage: every command and subcommand answers -h/--help with its
// usage and exit 0, and refuses unknown arguments with the usage and exit 2,
// before touching any database.
func TestHelpAndUsage(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("KANTUTA_DATA_DIR", filepath.Join(dir, "data"))
	commands := [][]string{
		{}, {"serve"}, {"migrate"}, {"migrate", "up"}, {"migrate", "down"}, {"migrate", "status"},
		{"admin"}, {"admin", "create"}, {"admin", "reset-password"}, {"seed"}, {"seed", "demo"},
		{"healthcheck"}, {"version"},
	}
	for _, c := range commands {
		for _, h := range []string{"-h", "--help"} {
			args := append(append([]string{}, c...), h)
			out, code := runCLI(t, args...)
			if code != 0 || !strings.Contains(out, "Usage") {
				t.Errorf("%v: exit %d, output %q", args, code, out)
			}
		}
		if len(c) == 0 {
			continue
		}
		args := append(append([]string{}, c...), "extra-arg")
		out, code := runCLI(t, args...)
		if code != 2 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: exit %d (want 2), output %q", args, code, out)
		}
		args = append(append([]string{}, c...), "--no-such-flag")
		out, code = runCLI(t, args...)
		if code != 2 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: exit %d (want 2), output %q", args, code, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
		t.Error("help or a refused command line created the data directory")
	}
	for _, args := range [][]string{{"seed", "demo", "--clientes", "0"}, {"seed", "demo"}, {"admin", "reset-password"}} {
		if out, code := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, output %q", args, code, out)
		}
	}
}

func TestProductionRefusesUnsafeConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("KANTUTA_ENV", "production")
	t.Setenv("JWT_SECRET", "short")
	out, code := runCLI(t, "migrate", "status")
	if code != 1 || !strings.Contains(out, "JWT_SECRET") {
		t.Fatalf("production with a short secret: %d %q", code, out)
	}
}

func TestHealthcheck(t *testing.T) {
	t.Chdir(t.TempDir())
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	}))
	defer srv.Close()
	if out, code := runCLI(t, "healthcheck", "--url", srv.URL); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("ready: %d %q", code, out)
	}
	status = http.StatusServiceUnavailable
	if out, code := runCLI(t, "healthcheck", "--url", srv.URL); code != 1 || !strings.Contains(out, "503") {
		t.Fatalf("unavailable: %d %q", code, out)
	}
	// From the configuration's PORT, on loopback.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	t.Setenv("PORT", port)
	status = http.StatusOK
	if out, code := runCLI(t, "healthcheck"); code != 0 {
		t.Fatalf("PORT=%s: %d %q", port, code, out)
	}
	srv.Close()
	if out, code := runCLI(t, "healthcheck"); code != 1 {
		t.Fatalf("nothing listening: %d %q", code, out)
	}
}

// TestServeRefusals: the listener and the SQLite lock name their fix.
func TestServeRefusals(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("KANTUTA_DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("SALT_ROUNDS", "4")
	t.Setenv("KANTUTA_ADMIN_PASSWORD", "Password123!")

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	t.Setenv("KANTUTA_ADDR", busy.Addr().String())
	out, code := runCLI(t, "serve")
	if code != 1 || !strings.Contains(out, "the port is already in use") || !strings.Contains(out, "PORT=") {
		t.Fatalf("port in use: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "kantuta.db")); err == nil || strings.Contains(out, "First admin") {
		t.Fatal("a server that cannot listen created the database and its first admin")
	}

	// A first server holds the data directory; a second refuses.
	free, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := free.Addr().String()
	free.Close()
	t.Setenv("KANTUTA_ADDR", addr)
	first := make(chan int, 1)
	go func() {
		_, code := runCLI(t, "serve")
		first <- code
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Setenv("KANTUTA_ADDR", "127.0.0.1:0")
	out, code = runCLI(t, "serve")
	if code != 1 || !strings.Contains(out, "another kantuta (process ") || !strings.Contains(out, "KANTUTA_DATA_DIR") {
		t.Fatalf("second server on the same SQLite file: %d %q", code, out)
	}
	// Stop the first server the way a terminal does.
	p, _ := os.FindProcess(os.Getpid())
	_ = p.Signal(os.Interrupt)
	select {
	case code := <-first:
		if code != 0 {
			t.Fatalf("first server exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("first server did not stop")
	}
}
