package reliability

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

// figure logs one measured result; test.sh shows these lines and .ci/run
// collects them.
func figure(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Logf("figure: "+format, args...)
}

// skipSlow skips the tests that build and drive the real binary under
// `go test -short`.
func skipSlow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the built binary: skipped with -short")
	}
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildDir  string
)

// TestMain removes the built binary after the package's tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// kantutaBinary builds ./cmd/kantuta once per test run.
func kantutaBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "kantuta-reliability-")
		if buildErr != nil {
			return
		}
		buildPath = filepath.Join(buildDir, "kantuta")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/kantuta")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// serverEnv is the configuration the binary runs with in these tests: fast
// bcrypt, fixed keys, rate limits out of the way.
func serverEnv(databaseURL string) map[string]string {
	return map[string]string{
		"DATABASE_URL":           databaseURL,
		"KANTUTA_ENV":            "test",
		"KANTUTA_ADMIN_PASSWORD": adminPassword,
		"JWT_SECRET":             "reliability-access-secret-0123456789abcdef",
		"JWT_REFRESH_SECRET":     "reliability-refresh-secret-0123456789abcde",
		"SALT_ROUNDS":            "4",
		"RATE_LIMIT_PUBLIC":      "100000/min",
		"RATE_LIMIT_LOGIN":       "100000/min",
		"LOG_FORMAT":             "json",
	}
}

const adminPassword = "ReliabilityAdmin123"

// proc is one running `kantuta serve`.
type proc struct {
	cmd     *exec.Cmd
	BaseURL string
	Addr    string
	logs    *lockedBuffer
	done    chan struct{}
	waitErr error
	Ready   time.Duration // from process start to /readyz 200
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeAddr finds a free loopback port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs the binary with env (nothing else of this process's
// environment but PATH and HOME) in a directory of its own and waits until
// /readyz answers 200. The process is killed at the end of the test if it
// still runs.
func startServer(t *testing.T, env map[string]string) *proc {
	t.Helper()
	bin := kantutaBinary(t)
	addr := freeAddr(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "KANTUTA_ADDR=" + addr, "KANTUTA_DATA_DIR=" + filepath.Join(dir, "data")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, Addr: addr, BaseURL: "http://" + addr, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout = p.logs
	cmd.Stderr = p.logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kantuta: %v", err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("server log (last 3000 bytes):\n%s", tail(p.logs.String(), 3000))
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("kantuta exited before it was ready (%v):\n%s", p.waitErr, tail(p.logs.String(), 3000))
		default:
		}
		res, err := client.Get(p.BaseURL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				p.Ready = time.Since(start)
				return p
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("kantuta not ready within 20 s:\n%s", tail(p.logs.String(), 3000))
	return nil
}

// Signal sends sig to the process.
func (p *proc) Signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// Wait waits up to d for the process to exit and returns its exit code.
func (p *proc) Wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("kantuta still running %v after the signal", d)
	}
	return p.cmd.ProcessState.ExitCode()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// requirePostgres says whether a missing PostgreSQL fails the test.
func requirePostgres() bool { return os.Getenv("KANTUTA_REQUIRE_POSTGRES") == "1" }

// newPostgresDatabase creates a database with a random name on the test
// PostgreSQL and drops it (WITH (FORCE)) after the test; it skips the test
// when no PostgreSQL answers, unless one is required.
func newPostgresDatabase(t *testing.T) string {
	t.Helper()
	base := testkit.PostgresURL()
	if base == "" {
		if requirePostgres() {
			t.Fatal("KANTUTA_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable")
		}
		t.Skip("PostgreSQL not reachable")
	}
	admin, err := database.Open(context.Background(), base, database.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	name := "kt_rel_" + randomHex(6)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := database.Open(context.Background(), base, database.Options{MaxOpenConns: 1})
		if err != nil {
			t.Logf("drop database %s: %v", name, err)
			return
		}
		defer admin.Close()
		if err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// eachDatabase runs fn on a fresh SQLite file and on a fresh PostgreSQL
// database, giving it the DATABASE_URL.
func eachDatabase(t *testing.T, fn func(t *testing.T, dialect, databaseURL string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, database.SQLite, "sqlite:"+filepath.Join(t.TempDir(), "kantuta.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, database.Postgres, newPostgresDatabase(t))
	})
}

// registerBody is seed 002's registration with a unique email.
func registerBody(email string) []byte {
	b, _ := json.Marshal(map[string]any{
		"email": email, "password": "ClaveFuerte123!", "nombres": "María Elena", "p_apellido": "Quispe",
		"s_apellido": "Condori", "fecha_nacimiento": "1995-03-22", "genero": "F", "name": strings.Split(email, "@")[0],
		"estado": true,
	})
	return b
}

// post sends a JSON body and returns the status and body; err is a
// transport failure (connection refused or cut).
func post(ctx context.Context, client *http.Client, url string, body []byte, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

// integrity is what the identity tables say about usuarios and personas.
type integrity struct {
	Usuarios, Personas, OrphanPersonas, UsuariosWithoutPersona int64
}

func (i integrity) String() string {
	return fmt.Sprintf("%d usuarios, %d personas, %d orphan personas, %d usuarios without persona",
		i.Usuarios, i.Personas, i.OrphanPersonas, i.UsuariosWithoutPersona)
}

func checkIntegrity(t *testing.T, db *database.DB) integrity {
	t.Helper()
	var in integrity
	for _, q := range []struct {
		sql string
		dst *int64
	}{
		{"SELECT count(*) FROM usuario", &in.Usuarios},
		{"SELECT count(*) FROM persona", &in.Personas},
		{"SELECT count(*) FROM persona p WHERE NOT EXISTS (SELECT 1 FROM usuario u WHERE u.id_persona = p.id)", &in.OrphanPersonas},
		{"SELECT count(*) FROM usuario u LEFT JOIN persona p ON p.id = u.id_persona WHERE p.id IS NULL", &in.UsuariosWithoutPersona},
	} {
		if err := db.Raw(q.sql).Scan(q.dst).Error; err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return in
}

// emailsPresent returns which of emails have a usuario.
func emailsPresent(t *testing.T, db *database.DB, emails []string) map[string]bool {
	t.Helper()
	present := map[string]bool{}
	for i := 0; i < len(emails); i += 500 {
		chunk := emails[i:min(i+500, len(emails))]
		var got []string
		if err := db.Raw("SELECT email FROM usuario WHERE email IN ?", chunk).Scan(&got).Error; err != nil {
			t.Fatalf("emails present: %v", err)
		}
		for _, e := range got {
			present[e] = true
		}
	}
	return present
}

func openDB(t *testing.T, databaseURL string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), databaseURL, database.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("open %s: %v", databaseURL, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
