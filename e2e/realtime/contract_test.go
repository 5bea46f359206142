// Package realtime_contract is the Socket.IO contract test: the client the
// Kantuta React frontend uses (socket.io-client 4.8.3, Node) against the
// built kantuta binary, over long-polling and over the WebSocket upgrade,
// on SQLite and on PostgreSQL with two replicas sharing one database.
//
// It runs only when REALTIME_CONTRACT_BIN names the binary
// (scripts/realtime-contract.sh builds it, installs the Node client with
// npm and prints "realtime: N passed, M failed"); `go test ./...` skips it.
//
// Adding a case for a write: start the servers and clients, then
//
//	expectEvents(t, clients, func() {
//		if status, body := call(t, srv, "POST", "/inventario/categoria", token, `{"nombre":"Accesorios"}`); status != 201 {
//			t.Fatalf("%d %s", status, body)
//		}
//	}, ev("category", "creado"))
//
// expectEvents fails unless every client receives exactly those events, in
// that order, and nothing else.
package realtime_contract

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/testkit"
)

const (
	frontend      = "http://localhost:5173"
	adminPassword = "ContractAdmin123"
	quiet         = 400 * time.Millisecond // how long "nothing else arrives" is watched
)

// Ports 38250-38299 belong to this test.
var nextPort atomic.Int32

func init() { nextPort.Store(38250) }

func ev(entity, action string) realtime.Event { return realtime.Event{Entity: entity, Action: action} }

// server is a running kantuta binary (or an in-process app: then url only).
type server struct {
	name string
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBinary runs `kantuta serve` with env on the next port of the range.
func startBinary(t *testing.T, name string, env map[string]string) *server {
	t.Helper()
	bin := os.Getenv("REALTIME_CONTRACT_BIN")
	port := nextPort.Add(1) - 1
	if port > 38299 {
		t.Fatal("out of ports (38250-38299)")
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"KANTUTA_ENV=development", fmt.Sprintf("KANTUTA_ADDR=127.0.0.1:%d", port),
		"KANTUTA_DATA_DIR=" + filepath.Join(dir, "data"), "KANTUTA_ADMIN_PASSWORD=" + adminPassword,
		"CORS_ORIGINS=" + frontend, "LOG_LEVEL=info",
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	s := &server{name: name, url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, logs: &syncBuffer{}}
	cmd.Stdout = io.Discard
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("%s did not stop within 10 s of SIGINT", name)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready: %s", name, s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.HasPrefix(env["DATABASE_URL"], "postgres") {
		// Events published before the replica listens would not reach it.
		for !strings.Contains(s.logs.String(), "realtime: listening") {
			if time.Now().After(deadline) {
				t.Fatalf("%s never listened: %s", name, s.logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return s
}

// call makes one JSON request to s (token and body optional) and returns
// the status and body: the HTTP writes of expectEvents' actions.
func call(t *testing.T, s *server, method, path, token, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// login returns an access token of the first admin.
func login(t *testing.T, s *server) string {
	t.Helper()
	status, body := call(t, s, http.MethodPost, "/auth/login", "", `{"email":"admin@kantuta.local","password":"`+adminPassword+`"}`)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.AccessToken == "" {
		t.Fatalf("login: %d %s", status, body)
	}
	return out.AccessToken
}

// client is one Node socket.io-client process (client.mjs).
type client struct {
	name  string
	lines chan line
	stdin io.WriteCloser
	log   *[]string
	mu    *sync.Mutex
}

type line struct {
	Type      string           `json:"type"`
	Transport string           `json:"transport"`
	Message   string           `json:"message"`
	Reason    string           `json:"reason"`
	Event     string           `json:"event"`
	Args      []map[string]any `json:"args"`
	raw       string
}

type opts struct {
	transports string // "polling", "websocket", "" (the default: polling then upgrade)
	origin     string
	token      *string // auth: {token}
	bearer     string
}

// dial starts a client; it is connected or refused when the first line comes.
func dial(t *testing.T, s *server, name string, o opts) *client {
	t.Helper()
	args := []string{"client.mjs", s.url}
	if o.transports != "" {
		args = append(args, "--transports", o.transports)
	}
	if o.origin != "" {
		args = append(args, "--origin", o.origin)
	}
	if o.token != nil {
		args = append(args, "--token", *o.token)
	}
	if o.bearer != "" {
		args = append(args, "--bearer", o.bearer)
	}
	cmd := exec.Command("node", args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("node: %v", err)
	}
	c := &client{name: name, lines: make(chan line, 256), stdin: stdin, log: &[]string{}, mu: &sync.Mutex{}}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l line
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				l.raw = sc.Text()
				c.lines <- l
			}
		}
		close(c.lines)
	}()
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() && stderr.String() != "" {
			t.Logf("%s stderr: %s", name, stderr.String())
		}
	})
	return c
}

func (c *client) next(t *testing.T, within time.Duration) (line, bool) {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			t.Fatalf("%s: the client exited", c.name)
		}
		return l, true
	case <-time.After(within):
		return line{}, false
	}
}

// connected waits for the connection (and, with upgrade, for the
// WebSocket upgrade) and returns the transport in use.
func (c *client) connected(t *testing.T, upgrade bool) string {
	t.Helper()
	l, ok := c.next(t, 10*time.Second)
	if !ok || l.Type != "connect" {
		t.Fatalf("%s: want connect, got %q", c.name, l.raw)
	}
	transport := l.Transport
	if upgrade && transport != "websocket" {
		l, ok = c.next(t, 10*time.Second)
		if !ok || l.Type != "upgrade" || l.Transport != "websocket" {
			t.Fatalf("%s: want the WebSocket upgrade, got %q", c.name, l.raw)
		}
		transport = l.Transport
	}
	return transport
}

// refused waits for a connect_error and returns its message.
func (c *client) refused(t *testing.T) string {
	t.Helper()
	l, ok := c.next(t, 10*time.Second)
	if !ok || l.Type != "connect_error" {
		t.Fatalf("%s: want connect_error, got %q", c.name, l.raw)
	}
	return l.Message
}

// expectEvents runs action and fails unless every client receives exactly
// want (dataChanged {"entity","action"}, in order) and nothing else within
// quiet afterwards. The received events are logged: the test's event log.
func expectEvents(t *testing.T, clients []*client, action func(), want ...realtime.Event) {
	t.Helper()
	action()
	for _, c := range clients {
		var got []string
		for len(got) < len(want) {
			l, ok := c.next(t, 10*time.Second)
			if !ok {
				t.Fatalf("%s: got %v, want %v", c.name, got, want)
			}
			if l.Type != "event" {
				t.Fatalf("%s: unexpected %q while waiting for events", c.name, l.raw)
			}
			got = append(got, payload(t, l))
			t.Logf("  %-26s %s", c.name, l.raw)
		}
		for i, w := range want {
			b, _ := json.Marshal(w)
			if got[i] != string(b) {
				t.Fatalf("%s: event %d is %s, want %s (all: %v)", c.name, i+1, got[i], b, got)
			}
		}
	}
	for _, c := range clients {
		if l, ok := c.next(t, quiet); ok {
			t.Fatalf("%s: unexpected extra %q", c.name, l.raw)
		}
	}
}

// payload checks the event's shape, dataChanged with one argument holding
// exactly entity and action, and returns that argument as JSON.
func payload(t *testing.T, l line) string {
	t.Helper()
	if l.Event != realtime.EventName || len(l.Args) != 1 || len(l.Args[0]) != 2 {
		t.Fatalf("not dataChanged {entity, action}: %s", l.raw)
	}
	e, _ := l.Args[0]["entity"].(string)
	a, _ := l.Args[0]["action"].(string)
	b, _ := json.Marshal(ev(e, a))
	return string(b)
}

// publishTx is the write a POS route will make: events published through a
// Publisher inside a transaction that commits or (fail) rolls back.
func publishTx(t *testing.T, db *database.DB, pub realtime.Publisher, fail bool, events ...realtime.Event) func() {
	return func() {
		t.Helper()
		errRollback := errors.New("rollback")
		err := db.Tx(context.Background(), func(tx *gorm.DB) error {
			if err := pub.Publish(tx, events...); err != nil {
				return err
			}
			if fail {
				return errRollback
			}
			return nil
		})
		if fail != errors.Is(err, errRollback) || !fail && err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
}

func str(s string) *string { return &s }

// compra is the events of a compra paid from the caja (SPEC §12.3), in order.
var compra = []realtime.Event{ev("producto", "stock_actualizado"), ev("compra", "creada"), ev("caja", "saldo_actualizado")}

func TestContract(t *testing.T) {
	if os.Getenv("REALTIME_CONTRACT_BIN") == "" {
		t.Skip("REALTIME_CONTRACT_BIN not set: run scripts/realtime-contract.sh")
	}
	if _, err := os.Stat("node_modules/socket.io-client/package.json"); err != nil {
		t.Fatal("node_modules missing: run scripts/realtime-contract.sh (npm ci in e2e/realtime)")
	}
	t.Run("sqlite", func(t *testing.T) {
		bin := startBinary(t, "sqlite", nil)
		authCases(t, bin, nil)

		// The binary on SQLite has no write that publishes yet (the POS
		// routes come with their branches): the same application, in
		// process, publishes through its Publisher.
		db := testkit.NewSQLite(t)
		app := testkit.NewApp(t, db, map[string]string{"CORS_ORIGINS": frontend})
		s := &server{name: "app", url: app.URL}
		t.Run("polling_and_websocket_receive_exactly_the_committed_events", func(t *testing.T) {
			polling := dial(t, s, "polling", opts{transports: "polling", origin: frontend})
			upgraded := dial(t, s, "upgraded", opts{origin: frontend})
			wsOnly := dial(t, s, "websocket-only", opts{transports: "websocket", origin: frontend})
			polling.connected(t, false)
			upgraded.connected(t, true)
			wsOnly.connected(t, false)
			clients := []*client{polling, upgraded, wsOnly}
			expectEvents(t, clients, publishTx(t, db, app.Events, false, compra...), compra...)
			expectEvents(t, clients, publishTx(t, db, app.Events, true, ev("venta", "creada")))
			expectEvents(t, clients, publishTx(t, db, app.Events, false, ev("producto", "stock_bajo"), ev("producto", "stock_bajo")),
				ev("producto", "stock_bajo"), ev("producto", "stock_bajo"))
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dbURL := freshDatabase(t)
		a := startBinary(t, "replica-a", map[string]string{"DATABASE_URL": dbURL})
		b := startBinary(t, "replica-b", map[string]string{"DATABASE_URL": dbURL})
		authCases(t, a, map[string]string{"DATABASE_URL": dbURL})

		// A third process writes to the same database, as a replica
		// serving a POS write would.
		db, err := database.Open(context.Background(), dbURL, database.Options{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		writer := realtime.NewNotifier(db, realtime.NewBus(), nil)
		t.Run("both_replicas_receive_exactly_the_committed_events", func(t *testing.T) {
			clients := []*client{
				dial(t, a, "replica-a/polling", opts{transports: "polling", origin: frontend}),
				dial(t, a, "replica-a/upgraded", opts{origin: frontend}),
				dial(t, b, "replica-b/polling", opts{transports: "polling", origin: frontend}),
				dial(t, b, "replica-b/upgraded", opts{origin: frontend}),
			}
			for i, c := range clients {
				c.connected(t, i%2 == 1)
			}
			expectEvents(t, clients, publishTx(t, db, writer, false, compra...), compra...)
			expectEvents(t, clients, publishTx(t, db, writer, true, ev("venta", "creada")))
			expectEvents(t, clients, publishTx(t, db, writer, false, ev("producto", "stock_bajo"), ev("producto", "stock_bajo")),
				ev("producto", "stock_bajo"), ev("producto", "stock_bajo"))
		})
	})
}

// authCases: who may connect, over the real client (SPEC §14.6).
func authCases(t *testing.T, s *server, env map[string]string) {
	token := login(t, s)
	t.Run("origin_allowed_origin_polling", func(t *testing.T) {
		if tr := dial(t, s, "c", opts{transports: "polling", origin: frontend}).connected(t, false); tr != "polling" {
			t.Fatalf("transport %s", tr)
		}
	})
	t.Run("origin_allowed_origin_upgrades_to_websocket", func(t *testing.T) {
		dial(t, s, "c", opts{origin: frontend}).connected(t, true)
	})
	t.Run("origin_foreign_origin_refused", func(t *testing.T) {
		if msg := dial(t, s, "c", opts{transports: "polling", origin: "https://evil.example"}).refused(t); msg != realtime.Unauthorized {
			t.Fatalf("connect_error %q", msg)
		}
	})
	t.Run("origin_foreign_origin_refused_over_websocket", func(t *testing.T) {
		dial(t, s, "c", opts{transports: "websocket", origin: "https://evil.example"}).refused(t)
	})
	t.Run("origin_no_origin_no_token_refused", func(t *testing.T) {
		if msg := dial(t, s, "c", opts{}).refused(t); msg != realtime.Unauthorized {
			t.Fatalf("connect_error %q", msg)
		}
	})
	t.Run("origin_no_origin_valid_token_admitted", func(t *testing.T) {
		dial(t, s, "c", opts{token: str(token)}).connected(t, true)
	})
	t.Run("origin_invalid_token_refused", func(t *testing.T) {
		if msg := dial(t, s, "c", opts{origin: frontend, token: str("not-a-token")}).refused(t); msg != realtime.Unauthorized {
			t.Fatalf("connect_error %q", msg)
		}
	})
	t.Run("token_mode_without_token_refused", func(t *testing.T) {
		tm := startBinary(t, s.name+"-token", merge(env, map[string]string{"REALTIME_AUTH": "token"}))
		if msg := dial(t, tm, "c", opts{origin: frontend}).refused(t); msg != realtime.Unauthorized {
			t.Fatalf("connect_error %q", msg)
		}
		own := login(t, tm) // each binary has its own development JWT secrets
		dial(t, tm, "c2", opts{origin: frontend, token: str(own)}).connected(t, true)
		dial(t, tm, "c3", opts{transports: "polling", bearer: own}).connected(t, false)
		if msg := dial(t, tm, "c4", opts{origin: frontend, token: str(token)}).refused(t); msg != realtime.Unauthorized {
			t.Fatalf("another server's token: connect_error %q", msg)
		}
	})
	t.Run("off_mode_anyone", func(t *testing.T) {
		off := startBinary(t, s.name+"-off", merge(env, map[string]string{"REALTIME_AUTH": "off"}))
		dial(t, off, "c", opts{}).connected(t, true)
		dial(t, off, "c2", opts{transports: "polling", origin: "https://evil.example"}).connected(t, false)
	})
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// freshDatabase creates a database of its own (the binaries use its public
// schema: the default channel kantuta_events) and drops it afterwards.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := testkit.PostgresURL()
	if base == "" {
		if os.Getenv("KANTUTA_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PostgreSQL not reachable")
		}
		t.Skip("PostgreSQL not reachable")
	}
	admin, err := database.Open(context.Background(), base, database.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := "kantuta_rt_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}
