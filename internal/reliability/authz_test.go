package reliability

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/golang-jwt/jwt/v5"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// The callers of the matrix: four without a valid access token, then one
// of each role.
const (
	callerNone     = "no token"
	callerTampered = "tampered"
	callerExpired  = "expired"
	callerRefresh  = "refresh token"
	callerAdmin    = "admin"
	callerLider    = "lider"
	callerUser     = "user"
	callerOperator = "operator cashier"
)

var (
	invalidCallers = []string{callerNone, callerTampered, callerExpired, callerRefresh}
	roleCallers    = []string{callerAdmin, callerLider, callerUser, callerOperator}
	allRoles       = roleCallers
	usuarioRoles   = []string{callerAdmin, callerLider, callerUser}
	adminLider     = []string{callerAdmin, callerLider}
	adminOnly      = []string{callerAdmin}
)

// authzRow is one route of the matrix. A protected route (allow not nil)
// must answer 401 to every invalid caller, 403 to a role not in allow, and
// neither 401, 403 nor a 5xx to a role in allow. A public route (allow
// nil) must answer public (or, when empty, anything but 401, 403 and 5xx)
// without a token.
type authzRow struct {
	method, route string   // as chi.Walk reports it
	path          string   // what is requested ("" = route)
	body          any      // sent as JSON
	allow         []string // nil: public
	public        []int
	fresh         func() string // when set, the path of each request (a fresh target)
	note          string
	answers       int // a 5xx an allowed caller gets by design (GET /whatsapp/connect's 503)
}

// TestAuthorizationMatrix walks every route the server registers (chi.Walk:
// a route without a row fails the test) and asks each protected one as
// nobody, with a tampered, an expired and a refresh token, and as each
// role, asserting the status SPEC §5–§8 give.
func TestAuthorizationMatrix(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin, adminTok := app.NewUsuario(role.Admin)
		_, liderTok := app.NewUsuario(role.Lider)
		_, userTok := app.NewUsuario(role.User)
		other, _ := app.NewUsuario(role.User)

		opID, opTok := newOperator(t, app, adminTok, "matriz-"+randomHex(3))
		cliente := newCliente(t, app, adminTok, "1712345678")
		clienteN := 0
		freshCliente := func() string {
			clienteN++
			return "/api/pos/clientes/" + newCliente(t, app, adminTok, fmt.Sprintf("18%08d", clienteN))
		}

		refresh, err := app.Issuer.Refresh(auth.Subject{Kind: auth.KindUsuario, ID: fmt.Sprint(admin.ID), Username: admin.Email, RoleID: role.Admin})
		if err != nil {
			t.Fatal(err)
		}
		tokens := map[string]string{
			callerTampered: tamper(t, userTok),
			callerExpired:  expiredToken(t, app, admin.ID, admin.Email),
			callerRefresh:  refresh.Token,
			callerAdmin:    adminTok,
			callerLider:    liderTok,
			callerUser:     userTok,
			callerOperator: opTok,
		}

		otherPath := fmt.Sprintf("/usuario/%d", other.ID)
		catID, prodID := newProducto(t, app, adminTok)
		contacto := app.Post("/notificaciones/contactos", adminTok, map[string]any{"nombre": "Matriz", "telefono": "70000099"})
		if contacto.Status != http.StatusCreated {
			t.Fatalf("create contacto: %s", contacto)
		}
		contactoPath := "/notificaciones/contactos/" + contacto.Map(t)["id"].(string)
		compra := map[string]any{"pagar_con_caja": false, "detalles": []map[string]any{{"id_producto": json.Number(prodID), "cantidad": 1, "costo_unitario": 1}}}
		rows := []authzRow{
			// Infrastructure and documentation: public.
			{method: "GET", route: "/healthz", public: []int{200}},
			{method: "GET", route: "/readyz", public: []int{200}},
			{method: "GET", route: "/metrics", public: []int{200}},
			{method: "GET", route: "/openapi.yaml", public: []int{200}},
			{method: "GET", route: "/docs", public: []int{200}},
			{method: "GET", route: "/docs/{asset}", path: "/docs/no-such-asset.js", public: []int{404}},
			{method: "GET", route: "/api", public: []int{301, 302, 307, 308}, note: "redirects to /docs"},
			// §5 identity.
			{method: "POST", route: "/auth/login", body: map[string]any{}, public: []int{400}},
			{method: "POST", route: "/auth/refresh_token", public: []int{401}, note: "the refresh token is the credential"},
			{method: "POST", route: "/auth/refresh", public: []int{401}, note: "the refreshToken cookie is the credential"},
			{method: "POST", route: "/auth/reset/code", body: map[string]any{}, public: []int{400}},
			{method: "POST", route: "/auth/confirm-code", body: map[string]any{}, public: []int{400}},
			{method: "POST", route: "/auth/reset-confirm", body: map[string]any{}, public: []int{400}},
			{method: "GET", route: "/auth/me", allow: allRoles},
			{method: "GET", route: "/auth/roles/list", allow: allRoles},
			{method: "POST", route: "/auth/change-password", allow: usuarioRoles,
				body: map[string]string{"currentPassword": "NoEsLaClave1", "newPassword": "OtraClave123!"}, note: "an operator has no password: 403"},
			{method: "POST", route: "/usuario/register", body: map[string]any{}, public: []int{400}},
			{method: "GET", route: "/usuario/", path: "/usuario", allow: adminLider},
			{method: "GET", route: "/usuario/{id}", path: otherPath, allow: adminLider, note: "another usuario: the cashier is not self"},
			{method: "PATCH", route: "/usuario/{id}", path: otherPath, body: map[string]string{"name": "matriz"}, allow: adminOnly},
			{method: "DELETE", route: "/usuario/{id}", path: "/usuario/987654321", allow: adminOnly},
			{method: "POST", route: "/persona/", path: "/persona", body: map[string]any{}, public: []int{400}},
			{method: "GET", route: "/persona/", path: "/persona", allow: adminLider},
			{method: "PUT", route: "/persona/", path: "/persona", body: map[string]any{"id": other.IDPersona, "nombres": "Matriz"}, allow: adminLider,
				note: "another usuario's persona"},
			{method: "GET", route: "/persona/{id}", path: fmt.Sprintf("/persona/%d", other.IDPersona), allow: adminLider},
			{method: "DELETE", route: "/persona/{id}", path: "/persona/987654321", allow: adminOnly},
			// §6 operators.
			{method: "GET", route: "/users/", path: "/users", allow: allRoles},
			{method: "GET", route: "/users/me", allow: []string{callerOperator}, note: "a usuario token is not an operator: 403"},
			{method: "POST", route: "/users/", path: "/users", body: map[string]any{}, allow: adminOnly},
			{method: "GET", route: "/users/{id}", path: "/users/" + opID, allow: adminOnly},
			{method: "PUT", route: "/users/{id}", path: "/users/" + opID, body: map[string]any{}, allow: adminOnly},
			{method: "DELETE", route: "/users/{id}", path: "/users/00000000-0000-0000-0000-000000000000", allow: adminOnly},
			{method: "GET", route: "/roles", allow: allRoles},
			// §8 customers.
			{method: "GET", route: "/api/pos/ciudades", allow: allRoles},
			{method: "GET", route: "/api/pos/clientes/", path: "/api/pos/clientes", allow: allRoles},
			{method: "POST", route: "/api/pos/clientes/", path: "/api/pos/clientes", body: map[string]any{}, allow: allRoles},
			{method: "GET", route: "/api/pos/clientes/search", path: "/api/pos/clientes/search?name=cli", allow: allRoles},
			{method: "GET", route: "/api/pos/clientes/type", allow: allRoles},
			{method: "GET", route: "/api/pos/clientes/{id}", path: "/api/pos/clientes/" + cliente, allow: allRoles},
			{method: "PUT", route: "/api/pos/clientes/{id}", path: "/api/pos/clientes/" + cliente, body: map[string]string{"cli_nombre": "Matriz"}, allow: allRoles},
			{method: "PUT", route: "/api/pos/clientes/{id}", fresh: freshCliente, body: map[string]string{"cli_estado": "SUS"}, allow: adminLider,
				note: "a cli_estado change"},
			{method: "DELETE", route: "/api/pos/clientes/{id}", path: "/api/pos/clientes/CLI999999", allow: adminLider},
			// §7 mail.
			{method: "POST", route: "/mail", body: map[string]any{}, allow: adminLider, note: "sends as the shop: admins and líderes only (issue 14)"},
			{method: "GET", route: "/mail/{id}", path: "/mail/987654321", allow: adminOnly},
			// §12 inventario, compras, contactos: reads any usuario role, writes admin and lider,
			// contactos admin; operator tokens 403 whatever their role.
			{method: "GET", route: "/inventario/categorias", allow: usuarioRoles},
			{method: "POST", route: "/inventario/categorias", body: map[string]any{}, allow: adminLider},
			{method: "GET", route: "/inventario/categorias/{id}", path: "/inventario/categorias/" + catID, allow: usuarioRoles},
			{method: "PATCH", route: "/inventario/categorias/{id}", path: "/inventario/categorias/" + catID, body: map[string]any{}, allow: adminLider},
			{method: "DELETE", route: "/inventario/categorias/{id}", path: "/inventario/categorias/987654321", allow: adminLider},
			{method: "GET", route: "/inventario/producto", allow: usuarioRoles},
			{method: "POST", route: "/inventario/producto", body: map[string]any{}, allow: adminLider},
			{method: "GET", route: "/inventario/producto/{id}", path: "/inventario/producto/" + prodID, allow: usuarioRoles},
			{method: "PATCH", route: "/inventario/producto/{id}", path: "/inventario/producto/" + prodID, body: map[string]any{}, allow: adminLider},
			{method: "DELETE", route: "/inventario/producto/{id}", path: "/inventario/producto/987654321", allow: adminLider},
			{method: "GET", route: "/compras", allow: usuarioRoles},
			{method: "POST", route: "/compras", body: compra, allow: adminLider, note: "a real compra of one unit"},
			{method: "GET", route: "/notificaciones/contactos", allow: adminOnly},
			{method: "POST", route: "/notificaciones/contactos", body: map[string]any{}, allow: adminOnly},
			{method: "GET", route: "/notificaciones/contactos/activos-stock", allow: adminOnly},
			{method: "GET", route: "/notificaciones/contactos/{id}", path: contactoPath, allow: adminOnly},
			{method: "PATCH", route: "/notificaciones/contactos/{id}", path: contactoPath, body: map[string]any{}, allow: adminOnly},
			{method: "DELETE", route: "/notificaciones/contactos/{id}", path: "/notificaciones/contactos/00000000-0000-4000-8000-000000000000", allow: adminOnly},
			{method: "POST", route: "/notificaciones/contactos/seed", body: map[string]any{}, public: []int{404}, note: "not served (SPEC §12.2)"},
			// §13 cajas and ventas: usuario tokens only (operators 403); writes on cajas and annulments admin.
			{method: "GET", route: "/cajas/", path: "/cajas", allow: usuarioRoles},
			{method: "POST", route: "/cajas/", path: "/cajas", body: map[string]any{}, allow: adminOnly},
			{method: "GET", route: "/cajas/{id}", path: "/cajas/987654321", allow: usuarioRoles},
			{method: "PATCH", route: "/cajas/{id}", path: "/cajas/987654321", body: map[string]any{}, allow: adminOnly},
			{method: "DELETE", route: "/cajas/{id}", path: "/cajas/987654321", allow: adminOnly},
			{method: "POST", route: "/cajas/abrir", body: map[string]any{}, allow: usuarioRoles},
			{method: "POST", route: "/cajas/movimiento", body: map[string]any{}, allow: usuarioRoles},
			{method: "GET", route: "/cajas/sesion-activa/{id_usuario}", path: fmt.Sprintf("/cajas/sesion-activa/%d", other.ID), allow: adminOnly,
				note: "another usuario's session: self or admin"},
			{method: "GET", route: "/cajas/sesion/{id}/balance", path: "/cajas/sesion/987654321/balance", allow: usuarioRoles},
			{method: "PATCH", route: "/cajas/sesion/{id}/cerrar", path: "/cajas/sesion/987654321/cerrar", body: map[string]any{}, allow: usuarioRoles},
			{method: "GET", route: "/ventas/", path: "/ventas", allow: usuarioRoles},
			{method: "POST", route: "/ventas/", path: "/ventas", body: map[string]any{}, allow: usuarioRoles},
			{method: "POST", route: "/ventas/reporte-resumen", body: map[string]any{}, allow: usuarioRoles},
			{method: "GET", route: "/ventas/{id}", path: "/ventas/987654321", allow: usuarioRoles},
			{method: "PATCH", route: "/ventas/{id}", path: "/ventas/987654321", body: map[string]any{}, allow: adminOnly},
			{method: "DELETE", route: "/ventas/{id}", path: "/ventas/987654321", allow: adminOnly},
			// §14 reportes, recargas, whatsapp: usuario tokens only (operators 403).
			{method: "GET", route: "/reportes/dashboard-stats", allow: usuarioRoles},
			{method: "GET", route: "/reportes/data/ventas-rango", allow: adminOnly},
			{method: "GET", route: "/reportes/data/compras-rango", allow: adminOnly},
			{method: "GET", route: "/reportes/data/inventario", allow: adminOnly},
			{method: "GET", route: "/reportes/data/productividad-operador", allow: adminOnly},
			{method: "GET", route: "/reportes/data/movimientos-caja/{idSesion}", path: "/reportes/data/movimientos-caja/987654321", allow: adminLider,
				note: "a session not the cashier's: hers only"},
			{method: "GET", route: "/reportes/data/caja-historial/{id}", path: "/reportes/data/caja-historial/987654321", allow: adminLider},
			{method: "GET", route: "/reportes/data/venta/{id}", path: "/reportes/data/venta/987654321", allow: usuarioRoles},
			{method: "GET", route: "/reportes/data/producto/{id}", path: "/reportes/data/producto/987654321", allow: usuarioRoles},
			{method: "GET", route: "/recargas/operadoras/saldos", allow: usuarioRoles},
			{method: "PATCH", route: "/recargas/operadoras/{id}", path: "/recargas/operadoras/987654321", body: map[string]any{}, allow: adminOnly},
			{method: "POST", route: "/recargas/cliente", body: map[string]any{}, allow: usuarioRoles},
			{method: "POST", route: "/recargas/inyeccion", body: map[string]any{}, allow: usuarioRoles},
			{method: "GET", route: "/recargas/historial/clientes", allow: usuarioRoles},
			{method: "GET", route: "/recargas/historial/inyecciones", allow: usuarioRoles},
			{method: "GET", route: "/whatsapp/connect", allow: usuarioRoles, answers: http.StatusServiceUnavailable, note: "not served: 503 by design"},
			// Last: logout ends nothing these tokens need (they have no session), but keep it last.
			{method: "POST", route: "/auth/logout", allow: allRoles},
		}

		// Every registered route has a row.
		covered := map[string]bool{}
		for _, r := range rows {
			covered[r.method+" "+r.route] = true
		}
		var missing, registered []string
		err = chi.Walk(app.Router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			key := method + " " + route
			registered = append(registered, key)
			if !covered[key] {
				missing = append(missing, key)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("routes without a row in the authorization matrix: %s", strings.Join(missing, ", "))
		}
		for key := range covered {
			if !slices.Contains(registered, key) {
				t.Errorf("the matrix has a row for %s, which the server does not register", key)
			}
		}

		requests, failures, protected := 0, 0, 0
		byStatus := map[int]int{}
		for _, r := range rows {
			send := func(caller string) *testkit.Response {
				path := r.path
				if path == "" {
					path = r.route
				}
				if r.fresh != nil {
					path = r.fresh()
				}
				rq := testkit.Request{Method: r.method, Path: path, Token: tokens[caller]}
				if r.body != nil {
					rq.Body = r.body
				}
				requests++
				if r.allow == nil && caller == callerNone && r.method == "GET" && r.body == nil {
					// Public pages: asked without following redirects.
					res := getNoRedirect(t, app, path)
					byStatus[res.Status]++
					return res
				}
				res := app.Do(rq)
				byStatus[res.Status]++
				return res
			}
			name := r.method + " " + r.route
			if r.note != "" {
				name += " (" + r.note + ")"
			}
			if r.allow == nil {
				res := send(callerNone)
				ok := res.Status < 500 && res.Status != 401 && res.Status != 403
				if len(r.public) > 0 {
					ok = slices.Contains(r.public, res.Status)
				}
				if !ok {
					failures++
					t.Errorf("%s, public, without a token: %s, want %v", name, res, r.public)
				}
				continue
			}
			protected++
			for _, caller := range invalidCallers {
				if res := send(caller); res.Status != http.StatusUnauthorized {
					failures++
					t.Errorf("%s as %s: %s, want 401", name, caller, res)
				}
			}
			for _, caller := range roleCallers {
				res := send(caller)
				switch allowed := slices.Contains(r.allow, caller); {
				case allowed && (res.Status == 401 || res.Status == 403 || (res.Status >= 500 && res.Status != r.answers)):
					failures++
					t.Errorf("%s as %s: %s, want it allowed", name, caller, res)
				case !allowed && res.Status != http.StatusForbidden:
					failures++
					t.Errorf("%s as %s: %s, want 403", name, caller, res)
				}
			}
		}
		codes := make([]int, 0, len(byStatus))
		for c := range byStatus {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var dist []string
		for _, c := range codes {
			dist = append(dist, fmt.Sprintf("%d×%d", byStatus[c], c))
		}
		figure(t, "authorization matrix %s: %d registered routes, %d rows (%d protected × 8 callers, %d public), %d requests, %d wrong; statuses %s",
			db.Dialect, len(registered), len(rows), protected, len(rows)-protected, requests, failures, strings.Join(dist, " "))
	})
}

// tamper turns a cashier's token into an admin's by rewriting its payload
// (roleId 1) and keeping the signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	claims["roleId"] = role.Admin
	raw, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

// expiredToken signs, with the right key, an admin access token that
// expired a minute ago (beyond the 5 s leeway).
func expiredToken(t *testing.T, app *testkit.App, id int64, email string) string {
	t.Helper()
	past := time.Now().Add(-16 * time.Minute)
	claims := auth.Claims{
		Sub: id, Username: email, RoleID: role.Admin, Kind: auth.KindUsuario, Type: auth.TypeAccess,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "kantuta", ID: randomHex(8),
			IssuedAt: jwt.NewNumericDate(past), ExpiresAt: jwt.NewNumericDate(past.Add(15 * time.Minute)),
		},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(app.Config.JWTSecret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// getNoRedirect is GET path without following a redirect (app.Do would
// follow it and check the final page against the first path's spec).
func getNoRedirect(t *testing.T, app *testkit.App, path string) *testkit.Response {
	t.Helper()
	client := &http.Client{Transport: app.Client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	res, err := client.Get(app.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return &testkit.Response{Status: res.StatusCode, Header: res.Header, Body: body}
}
