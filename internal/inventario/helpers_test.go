package inventario_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/realtime"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// env is one app with a token per role and an event log.
type env struct {
	t                  *testing.T
	app                *testkit.App
	db                 *database.DB
	admin, lider, user string
	adminID, liderID   int64
	events             *eventLog
	op                 string
}

type eventLog struct {
	mu  sync.Mutex
	evs []string
}

func (l *eventLog) add(e realtime.Event) {
	l.mu.Lock()
	l.evs = append(l.evs, e.Entity+"/"+e.Action)
	l.mu.Unlock()
}

// take returns the events since the last call.
func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.evs
	l.evs = nil
	return out
}

func newEnv(t *testing.T, db *database.DB) *env {
	app := testkit.NewApp(t, db)
	e := &env{t: t, app: app, db: db, events: &eventLog{}}
	u, tok := app.NewUsuario(role.Admin)
	e.admin, e.adminID = tok, u.ID
	l, ltok := app.NewUsuario(role.Lider)
	e.lider, e.liderID = ltok, l.ID
	e.user = app.Token(role.User)
	cancel := app.Bus.Subscribe(e.events.add)
	t.Cleanup(cancel)
	return e
}

// operatorToken is an Ambrosia operator's token (kind operador), with the
// admin role: operators get 403 on POS routes whatever their role.
func (e *env) operatorToken() string {
	e.t.Helper()
	if e.op != "" {
		return e.op
	}
	var roles []map[string]any
	e.app.Get("/roles", e.admin).JSON(e.t, &roles)
	var adminUUID string
	for _, r := range roles {
		if r["isAdmin"] == true {
			adminUUID = r["id"].(string)
		}
	}
	res := e.app.Post("/users", e.admin, map[string]string{"name": "op-inventario", "pin": "246810", "role": adminUUID})
	if res.Status != http.StatusCreated {
		e.t.Fatalf("create operator: %s", res)
	}
	tok, err := e.app.Issuer.Access(auth.Subject{Kind: auth.KindOperador, ID: res.Map(e.t)["id"].(string), Username: "op-inventario", RoleID: role.Admin})
	if err != nil {
		e.t.Fatal(err)
	}
	e.op = tok.Token
	return e.op
}

func (e *env) expect(res *testkit.Response, status int) map[string]any {
	e.t.Helper()
	if res.Status != status {
		e.t.Fatalf("want %d, got %s", status, res)
	}
	if len(res.Body) == 0 || res.Body[0] != '{' {
		return nil
	}
	return res.Map(e.t)
}

// expectMsg asserts a Nest error answer and its message (a string or the
// list of validation messages joined by " | ").
func (e *env) expectMsg(res *testkit.Response, status int, msg string) {
	e.t.Helper()
	m := e.expect(res, status)
	got := ""
	switch v := m["message"].(type) {
	case string:
		got = v
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = fmt.Sprint(p)
		}
		got = strings.Join(parts, " | ")
	}
	if got != msg {
		e.t.Fatalf("message = %q, want %q", got, msg)
	}
}

func (e *env) categoria(nombre string) int64 {
	e.t.Helper()
	m := e.expect(e.app.Post("/inventario/categorias", e.admin, map[string]any{"nombre": nombre}), http.StatusCreated)
	return int64(m["id"].(float64))
}

func (e *env) producto(body map[string]any) map[string]any {
	e.t.Helper()
	base := map[string]any{"nombre": "Producto", "precio_venta": 10, "costo_compra": 6, "stock_actual": 5, "stock_minimo": 3}
	for k, v := range body {
		base[k] = v
	}
	return e.expect(e.app.Post("/inventario/producto", e.admin, base), http.StatusCreated)
}

func id(m map[string]any) int64 { return int64(m["id"].(float64)) }

func (e *env) scalar(q string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Raw(q, args...).Row().Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// invariant checks that every product's stock equals the sum of its
// movements.
func (e *env) invariant() {
	e.t.Helper()
	rows, err := e.db.SQL.QueryContext(context.Background(), `SELECT p.id, p.stock_actual, COALESCE((SELECT SUM(m.cantidad) FROM movimiento_stock m WHERE m.id_producto = p.id), 0) FROM producto p`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, stock, sum int64
		if err := rows.Scan(&id, &stock, &sum); err != nil {
			e.t.Fatal(err)
		}
		if stock != sum {
			e.t.Errorf("producto %d: stock_actual %d, Σ movimiento_stock %d", id, stock, sum)
		}
	}
}

func (e *env) wantEvents(want ...string) {
	e.t.Helper()
	got := e.events.take()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		e.t.Fatalf("events = %v, want %v", got, want)
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
