package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
	"github.com/kantuta/kantuta/internal/users"
)

const frontend = "http://localhost:5173"

func originHeader(o string) http.Header {
	h := http.Header{}
	if o != "" {
		h.Set("Origin", o)
	}
	return h
}

// publish runs one committed (or, with fail, rolled-back) transaction that
// publishes events through the app's Publisher.
func publish(t *testing.T, db *database.DB, pub realtime.Publisher, fail bool, events ...realtime.Event) {
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
	if fail && !errors.Is(err, errRollback) || !fail && err != nil {
		t.Fatalf("publish: %v", err)
	}
}

func ev(entity, action string) realtime.Event { return realtime.Event{Entity: entity, Action: action} }

// TestSocketIOPolling: the frontend's session over long-polling — text/plain
// POSTs (no 415), the configured ping and buffer, the library's CORS, and
// exactly the committed events, in order, as {"entity","action"}.
func TestSocketIOPolling(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"CORS_ORIGINS": frontend + ",https://pos.example.com", "REQUEST_TIMEOUT": "300ms"})
		c, res, body := handshake(t, app.URL, originHeader(frontend))
		if c == nil {
			t.Fatalf("handshake refused: %d %s", res.StatusCode, body)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != frontend {
			t.Errorf("Access-Control-Allow-Origin = %q", got)
		}
		if res.Header.Get("Content-Encoding") != "" || res.Header.Get("X-Request-Id") != "" {
			t.Errorf("the API's middleware touched /socket.io/: %v", res.Header)
		}
		for k, want := range map[string]any{"pingInterval": 25000.0, "pingTimeout": 20000.0, "maxPayload": 1e6} {
			if c.open[k] != want {
				t.Errorf("open packet %s = %v, want %v (%s)", k, c.open[k], want, body)
			}
		}
		if fmt.Sprint(c.open["upgrades"]) != "[websocket]" {
			t.Errorf("upgrades = %v", c.open["upgrades"])
		}
		if ans := c.connect(nil); !regexp.MustCompile(`^40\{"sid":"[^"]+"\}$`).MatchString(ans) {
			t.Fatalf("connect: %q", ans)
		}

		publish(t, db, app.Events, false, ev("producto", "stock_actualizado"), ev("compra", "creada"), ev("caja", "saldo_actualizado"))
		for _, want := range []string{
			`{"entity":"producto","action":"stock_actualizado"}`, `{"entity":"compra","action":"creada"}`, `{"entity":"caja","action":"saldo_actualizado"}`,
		} {
			if got := c.event(); got != want {
				t.Fatalf("event: got %s, want %s", got, want)
			}
		}
		// A rolled-back write announces nothing: the next event is the marker.
		publish(t, db, app.Events, true, ev("producto", "eliminado"))
		publish(t, db, app.Events, false, ev("category", "creado"))
		if got := c.event(); got != `{"entity":"category","action":"creado"}` {
			t.Fatalf("after a rollback: got %s", got)
		}

		// A long-poll outlives REQUEST_TIMEOUT (the API's deadline does
		// not apply), and gets the event published while it waits.
		go func() {
			time.Sleep(700 * time.Millisecond)
			publish(t, db, app.Events, false, ev("venta", "creada"))
		}()
		start := time.Now()
		if got := c.event(); got != `{"entity":"venta","action":"creada"}` || time.Since(start) < 600*time.Millisecond {
			t.Fatalf("long-poll: %s after %v", got, time.Since(start))
		}

		// A foreign origin gets no CORS grant (browsers stop there) and is
		// refused by REALTIME_AUTH=origin.
		_, res, _ = handshake(t, app.URL, originHeader("https://evil.example"))
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("foreign origin granted: %v", res.Header)
		}
		if strings.Contains(app.Logs.String(), `"route":"unmatched"`) || strings.Contains(app.Logs.String(), "/socket.io") {
			t.Errorf("the access log records /socket.io/ requests")
		}
	})
}

// TestSocketIOUpgrade: polling, then the WebSocket upgrade the frontend
// performs (the hijack goes through no response wrapper), then events over
// the WebSocket.
func TestSocketIOUpgrade(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"CORS_ORIGINS": frontend})
		c, res, body := handshake(t, app.URL, originHeader(frontend))
		if c == nil {
			t.Fatalf("handshake: %d %s", res.StatusCode, body)
		}
		defer c.close()
		if ans := c.connect(nil); !strings.HasPrefix(ans, "40{") {
			t.Fatalf("connect: %q", ans)
		}
		c.upgrade()
		publish(t, db, app.Events, false, ev("producto", "creado"), ev("producto", "creado"))
		for range 2 {
			if got := c.event(); got != `{"entity":"producto","action":"creado"}` {
				t.Fatalf("over the WebSocket: %s", got)
			}
		}

		// A WebSocket opened directly (no polling first) works too; a foreign
		// Origin is refused at the upgrade by the library's CORS check.
		u := strings.Replace(app.URL, "http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
		ws, _, err := websocket.DefaultDialer.Dial(u, originHeader(frontend))
		if err != nil {
			t.Fatalf("direct websocket: %v", err)
		}
		defer ws.Close()
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, msg, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(msg), "0{") {
			t.Fatalf("direct websocket open: %q %v", msg, err)
		}
		if _, res, err := websocket.DefaultDialer.Dial(u, originHeader("https://evil.example")); err == nil || res == nil || res.StatusCode/100 != 4 {
			t.Fatalf("foreign origin upgraded: %v %v", err, res)
		}
	})
}

// TestRealtimeAuth: REALTIME_AUTH as SPEC §14.6 says, decided at the
// namespace connect (connect_error "No autorizado").
func TestRealtimeAuth(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		apps := map[string]*testkit.App{}
		for _, mode := range []string{"origin", "token", "off"} {
			apps[mode] = testkit.NewApp(t, db, map[string]string{"CORS_ORIGINS": frontend, "REALTIME_AUTH": mode})
		}
		wildcard := testkit.NewApp(t, db, map[string]string{"CORS_ORIGINS": "*"})
		a := apps["origin"]
		u, token := a.NewUsuario(role.User)
		expired, err := a.Issuer.Access(auth.Subject{Kind: auth.KindUsuario, ID: fmt.Sprint(u.ID), RoleID: role.User, Version: u.TokenVersion + 1})
		if err != nil {
			t.Fatal(err)
		}
		hash, _ := a.Hasher.Hash(context.Background(), "1234")
		op, err := a.Operadores.Create(context.Background(), users.NewOperador{Name: "terminal", PinHash: hash, IDRole: role.Admin})
		if err != nil {
			t.Fatal(err)
		}
		opTok, err := a.Issuer.Access(auth.Subject{Kind: auth.KindOperador, ID: op.ID, Username: op.Name, RoleID: op.IDRole, Version: op.TokenVersion})
		if err != nil {
			t.Fatal(err)
		}

		type tc struct {
			name, mode, origin string
			auth               map[string]any
			header             map[string]string
			ok                 bool
		}
		cases := []tc{
			{"origin: the frontend (no token)", "origin", frontend, nil, nil, true},
			{"origin: a foreign origin", "origin", "https://evil.example", nil, nil, false},
			{"origin: a foreign origin with a valid token", "origin", "https://evil.example", map[string]any{"token": token}, nil, false},
			{"origin: no origin, no token", "origin", "", nil, nil, false},
			{"origin: no origin, auth.token", "origin", "", map[string]any{"token": token}, nil, true},
			{"origin: no origin, Bearer header", "origin", "", nil, map[string]string{"Authorization": "Bearer " + token}, true},
			{"origin: no origin, accessToken cookie", "origin", "", nil, map[string]string{"Cookie": "accessToken=" + token}, true},
			{"origin: the frontend with an invalid token", "origin", frontend, map[string]any{"token": "not-a-token"}, nil, false},
			{"origin: the frontend with a stale token", "origin", frontend, map[string]any{"token": expired.Token}, nil, false},
			{"origin: an operator token", "origin", "", map[string]any{"token": opTok.Token}, nil, false},
			{"origin: a non-string auth.token", "origin", frontend, map[string]any{"token": 42}, nil, false},
			{"origin: Basic credentials", "origin", "", nil, map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, false},
			{"token: the frontend without token", "token", frontend, nil, nil, false},
			{"token: auth.token", "token", frontend, map[string]any{"token": token}, nil, true},
			{"token: no origin, Bearer header", "token", "", nil, map[string]string{"Authorization": "Bearer " + token}, true},
			{"token: invalid token", "token", frontend, map[string]any{"token": "x.y.z"}, nil, false},
			{"off: no origin, no token", "off", "", nil, nil, true},
			{"off: a foreign origin", "off", "https://evil.example", nil, nil, true},
			{"off: an invalid token is not even read", "off", "", map[string]any{"token": "junk"}, nil, true},
			{"origin with CORS_ORIGINS=*: any origin", "*", "https://anything.example", nil, nil, true},
			{"origin with CORS_ORIGINS=*: no origin, no token", "*", "", nil, nil, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				app := apps[c.mode]
				if c.mode == "*" {
					app = wildcard
				}
				h := originHeader(c.origin)
				for k, v := range c.header {
					h.Set(k, v)
				}
				cl, res, body := handshake(t, app.URL, h)
				if cl == nil {
					t.Fatalf("engine handshake refused: %d %s", res.StatusCode, body)
				}
				ans := cl.connect(c.auth)
				if c.ok && !strings.HasPrefix(ans, `40{"sid":`) {
					t.Fatalf("want admitted, got %q", ans)
				}
				var refusal struct{ Message string }
				if !c.ok && (!strings.HasPrefix(ans, "44") || json.Unmarshal([]byte(ans[2:]), &refusal) != nil || refusal.Message != realtime.Unauthorized) {
					t.Fatalf("want connect_error No autorizado, got %q", ans)
				}
			})
		}
	})
}

// TestHandshakeRateLimit: new sessions per client IP are limited (429,
// Retry-After, Nest shape); requests of an open session are not counted.
func TestHandshakeRateLimit(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"CORS_ORIGINS": frontend, "RATE_LIMIT_REALTIME": "3/min"})
	var first *eio
	for i := range 3 {
		c, res, body := handshake(t, app.URL, originHeader(frontend))
		if c == nil {
			t.Fatalf("handshake %d: %d %s", i+1, res.StatusCode, body)
		}
		if first == nil {
			first = c
		}
	}
	_, res, body := handshake(t, app.URL, originHeader(frontend))
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("4th handshake: %d %v %s", res.StatusCode, res.Header, body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil || m["statusCode"] != 429.0 {
		t.Fatalf("429 body: %s", body)
	}
	// The open session goes on.
	for range 5 {
		first.send("3")
	}
	if ans := first.connect(nil); !strings.HasPrefix(ans, "40{") {
		t.Fatalf("open session after the limit: %q", ans)
	}
}

// TestSocketIOHostile: malformed Engine.IO requests are 4xx, never 5xx, and
// client events are ignored.
func TestSocketIOHostile(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"CORS_ORIGINS": frontend})
	cl := &http.Client{Timeout: 5 * time.Second}
	for _, q := range []string{
		"", "?EIO=4", "?EIO=3&transport=polling", "?EIO=4&transport=carrier-pigeon", "?EIO=4&transport=polling&sid=nope",
		"?EIO=4&transport=polling&sid=" + strings.Repeat("A", 5000), "?EIO=4&transport=websocket",
		"?EIO=4&transport=webtransport",
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			req, _ := http.NewRequest(method, app.URL+"/socket.io/"+q, strings.NewReader("40"))
			req.Header.Set("Origin", frontend)
			res, err := cl.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", method, q, err)
			}
			res.Body.Close()
			if res.StatusCode < 400 || res.StatusCode >= 500 {
				t.Errorf("%s /socket.io/%s: %d, want 4xx", method, q, res.StatusCode)
			}
		}
	}
	c, _, _ := handshake(t, app.URL, originHeader(frontend))
	if ans := c.connect(nil); !strings.HasPrefix(ans, "40{") {
		t.Fatalf("connect: %q", ans)
	}
	// Events, acks, binary and garbage from the client change nothing.
	for _, p := range []string{`42["dataChanged",{"entity":"x","action":"y"}]`, `421["ping"]`, `4garbage`, `42[`, "40/admin,"} {
		res, _ := c.do(http.MethodPost, "", p)
		if res.StatusCode >= 500 {
			t.Fatalf("packet %q: %d", p, res.StatusCode)
		}
	}
	res, _ := http.Get(app.URL + "/healthz")
	if res == nil || res.StatusCode != http.StatusOK {
		t.Fatal("server unhealthy after hostile packets")
	}
	if res, _ := http.Get(app.URL + "/socket.io"); res == nil || res.StatusCode != http.StatusNotFound {
		t.Fatal("/socket.io without a slash should be an ordinary 404")
	}
}

// TestRealtimeMetrics: connections and events are counted in /metrics.
func TestRealtimeMetrics(t *testing.T) {
	db := testkit.NewSQLite(t)
	app := testkit.NewApp(t, db, map[string]string{"CORS_ORIGINS": frontend})
	c, _, _ := handshake(t, app.URL, originHeader(frontend))
	c.connect(nil)
	bad, _, _ := handshake(t, app.URL, nil)
	bad.connect(nil)
	publish(t, db, app.Events, false, ev("producto", "creado"), ev("compra", "creada"))
	c.event()
	c.event()
	m := app.Get("/metrics", "").Body
	for _, want := range []string{
		"kantuta_realtime_connections 1", "kantuta_realtime_connections_total 1",
		`kantuta_realtime_refused_total{reason="no_origin"} 1`, "kantuta_realtime_events_total 2",
	} {
		if !strings.Contains(string(m), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
