package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/config"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/persona"
	"github.com/kantuta/kantuta/internal/server"
	"github.com/kantuta/kantuta/internal/usuario"
)

// App is the whole application behind a real HTTP server on loopback.
type App struct {
	*server.App
	URL     string
	Client  *http.Client
	Logs    *LogBuffer
	Console *LogBuffer // what the console mail backend printed
	t       testing.TB
	seq     int
	mu      sync.Mutex

	openapi *OpenAPI // set by ValidateResponses: check every response against the spec
}

// TestEnv is the configuration tests start from: fast bcrypt, fixed keys,
// rate limits high enough not to interfere (rate-limit tests lower them).
func TestEnv(t testing.TB) map[string]string {
	return map[string]string{
		"KANTUTA_ENV":        "test",
		"KANTUTA_DATA_DIR":   t.TempDir(),
		"JWT_SECRET":         "test-access-secret-0123456789abcdef0123",
		"JWT_REFRESH_SECRET": "test-refresh-secret-0123456789abcdef012",
		"SALT_ROUNDS":        "4",
		"RATE_LIMIT_LOGIN":   "100000/min",
		"RATE_LIMIT_PUBLIC":  "100000/min",
		"MAIL_RATE_LIMIT":    "100000/h",
		"LOG_LEVEL":          "debug",
	}
}

// NewApp starts the application on db with TestEnv plus overrides.
func NewApp(t testing.TB, db *database.DB, overrides ...map[string]string) *App {
	t.Helper()
	env := TestEnv(t)
	for _, o := range overrides {
		for k, v := range o {
			env[k] = v
		}
	}
	cfg, err := config.FromMap(env)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &LogBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := server.New(cfg, db, logger)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	if _, _, err := app.Prepare(context.Background()); err != nil {
		t.Fatalf("prepare: %v", err)
	}
	console := &LogBuffer{}
	app.Stdout = console // console-backend mails, apart from the logs tests scan for secrets
	ctx, cancel := context.WithCancel(context.Background())
	wait := app.Start(ctx)
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(func() {
		app.CloseConnections() // pending Socket.IO long-polls would hold srv.Close
		srv.Close()
		cancel()
		wait()
	})
	return &App{App: app, URL: srv.URL, Client: srv.Client(), Logs: logs, Console: console, t: t}
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

func (r *Response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// Request describes one call; Body is marshalled as JSON unless it is a
// string or []byte (sent as is).
type Request struct {
	Method  string
	Path    string
	Body    any
	Token   string
	Header  map[string]string
	Cookies []*http.Cookie
}

// Do performs req against the app.
func (a *App) Do(req Request) *Response {
	a.t.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatalf("marshal body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequest(req.Method, a.URL+req.Path, body)
	if err != nil {
		a.t.Fatalf("new request: %v", err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	for _, c := range req.Cookies {
		hr.AddCookie(c)
	}
	res, err := a.Client.Do(hr)
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatalf("read body: %v", err)
	}
	out := &Response{Status: res.StatusCode, Header: res.Header, Body: raw}
	a.checkResponse(hr, out)
	return out
}

// Get, Post, Put, Patch and Delete are shorthands for Do.
func (a *App) Get(path, token string) *Response {
	return a.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}
func (a *App) Post(path, token string, body any) *Response {
	return a.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}
func (a *App) Put(path, token string, body any) *Response {
	return a.Do(Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}
func (a *App) Patch(path, token string, body any) *Response {
	return a.Do(Request{Method: http.MethodPatch, Path: path, Token: token, Body: body})
}
func (a *App) Delete(path, token string) *Response {
	return a.Do(Request{Method: http.MethodDelete, Path: path, Token: token})
}

// NewUsuario creates an active usuario with roleID directly in the store
// and returns it with an access token for it.
func (a *App) NewUsuario(roleID int) (usuario.Usuario, string) {
	a.t.Helper()
	a.mu.Lock()
	a.seq++
	n := a.seq
	a.mu.Unlock()
	hash, err := a.Hasher.Hash(context.Background(), "Password123!")
	if err != nil {
		a.t.Fatal(err)
	}
	u := usuario.Usuario{
		Name: fmt.Sprintf("test%d", n), Email: fmt.Sprintf("test%d-%s@kantuta.test", n, randomHex(3)),
		Password: hash, IDRole: roleID, Estado: true,
		Persona: persona.Persona{Nombres: "Test", PApellido: fmt.Sprintf("Usuario%d", n), Genero: "O", Estado: true,
			FechaNacimiento: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	if err := a.Usuarios.Create(context.Background(), &u); err != nil {
		a.t.Fatalf("create usuario: %v", err)
	}
	return u, a.TokenFor(u)
}

// TokenFor issues an access token for an existing usuario.
func (a *App) TokenFor(u usuario.Usuario) string {
	a.t.Helper()
	tok, err := a.Issuer.Access(auth.Subject{
		Kind: auth.KindUsuario, ID: fmt.Sprint(u.ID), Username: u.Email,
		RoleID: u.IDRole, RoleName: u.Role.Nombre, Version: u.TokenVersion,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return tok.Token
}

// Token is NewUsuario for callers that only need the token.
func (a *App) Token(roleID int) string {
	_, tok := a.NewUsuario(roleID)
	return tok
}

// LogBuffer captures the server's log lines for assertions.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Map decodes a response body as a JSON object (shorthand on the app).
func (a *App) Map(t testing.TB, r *Response) map[string]any { t.Helper(); return r.Map(t) }
