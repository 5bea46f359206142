package login_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

const adminRoleUUID = "262006ea-8782-4b08-ac3b-b3f13270fec3"
const userRoleUUID = "e7349203-1bdf-4d8a-8a83-0f5dccb23e1b"

func newOperator(t *testing.T, app *testkit.App, admin, name, pin, roleUUID string) string {
	t.Helper()
	res := app.Post("/users", admin, map[string]any{"name": name, "pin": pin, "role": roleUUID})
	if res.Status != 201 {
		t.Fatalf("create operator: %s", res)
	}
	return res.Map(t)["id"].(string)
}

func pinLogin(app *testkit.App, name, pin string, header map[string]string) *testkit.Response {
	return app.Do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]any{"name": name, "pin": pin}, Header: header})
}

func cookie(res *testkit.Response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestPinLoginBrowserFlow: login → cookie-only request → refresh → logout →
// old cookies refused, as the Ambrosia terminal does it.
func TestPinLoginBrowserFlow(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		id := newOperator(t, app, admin, "cajero1", "4321", userRoleUUID)

		res := pinLogin(app, "CAJERO1", "4321", nil)
		if res.Status != 200 {
			t.Fatalf("pin login: %s", res)
		}
		body := res.Map(t)
		user := body["user"].(map[string]any)
		if body["message"] != "Login successful" || user["userId"] != id || user["name"] != "cajero1" || user["isAdmin"] != false ||
			user["role"] != userRoleUUID || fmt.Sprint(body["perms"]) != "[]" {
			t.Fatalf("login body: %s", res)
		}
		if strings.Contains(string(res.Body), "4321") || strings.Contains(string(res.Body), "$2") {
			t.Fatalf("PIN or hash in the answer: %s", res)
		}
		access, refresh := cookie(res, "accessToken"), cookie(res, "refreshToken")
		if access == nil || refresh == nil {
			t.Fatalf("cookies not set: %v", res.Header["Set-Cookie"])
		}
		for _, c := range []*http.Cookie{access, refresh} {
			if !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteLaxMode || c.Secure || c.MaxAge <= 0 {
				t.Fatalf("cookie %s attributes: %+v", c.Name, c)
			}
		}
		if refresh.MaxAge <= access.MaxAge {
			t.Fatalf("refresh cookie (%d s) should outlive the access cookie (%d s)", refresh.MaxAge, access.MaxAge)
		}

		me := app.Do(testkit.Request{Method: "GET", Path: "/users/me", Cookies: []*http.Cookie{access}})
		if me.Status != 200 || me.Map(t)["user"].(map[string]any)["userId"] != id {
			t.Fatalf("cookie-only request: %s", me)
		}
		if res := app.Do(testkit.Request{Method: "GET", Path: "/auth/me", Cookies: []*http.Cookie{access}}); res.Status != 200 {
			t.Fatalf("/auth/me for an operator: %s", res)
		}

		res = app.Do(testkit.Request{Method: "POST", Path: "/auth/refresh", Cookies: []*http.Cookie{refresh}})
		if res.Status != 200 || res.Map(t)["message"] != "Access token refreshed successfully" || res.Map(t)["accessToken"] == "" {
			t.Fatalf("refresh: %s", res)
		}
		access2, refresh2 := cookie(res, "accessToken"), cookie(res, "refreshToken")
		if access2 == nil || refresh2 == nil || refresh2.Value == refresh.Value {
			t.Fatalf("refresh did not rotate both cookies: %v", res.Header["Set-Cookie"])
		}

		res = app.Do(testkit.Request{Method: "POST", Path: "/auth/logout", Cookies: []*http.Cookie{access2, refresh2}})
		if res.Status != 200 || res.Map(t)["message"] != "Logout successful" {
			t.Fatalf("logout: %s", res)
		}
		for _, name := range []string{"accessToken", "refreshToken"} {
			if c := cookie(res, name); c == nil || c.MaxAge >= 0 || c.Value != "" {
				t.Fatalf("logout did not clear %s: %v", name, res.Header["Set-Cookie"])
			}
		}
		if !strings.Contains(strings.Join(res.Header["Set-Cookie"], ";"), "Max-Age=0") {
			t.Fatalf("cleared cookies must say Max-Age=0: %v", res.Header["Set-Cookie"])
		}
		for _, c := range []*http.Cookie{access, access2} {
			if res := app.Do(testkit.Request{Method: "GET", Path: "/users/me", Cookies: []*http.Cookie{c}}); res.Status != 401 ||
				res.Map(t)["message"] != "Unauthorized API access" {
				t.Fatalf("old access cookie after logout: %s", res)
			}
		}
		for _, c := range []*http.Cookie{refresh, refresh2} {
			res := app.Do(testkit.Request{Method: "POST", Path: "/auth/refresh", Cookies: []*http.Cookie{c}})
			if res.Status != 401 || res.Map(t)["message"] != "Invalid token" {
				t.Fatalf("old refresh cookie after logout: %s", res)
			}
		}
		if res := app.Do(testkit.Request{Method: "POST", Path: "/auth/refresh"}); res.Status != 401 {
			t.Fatalf("refresh without cookie: %s", res)
		}
	})
}

func TestPinLoginFailures(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		newOperator(t, app, admin, "cajera2", "123456", userRoleUUID)

		wrong := pinLogin(app, "cajera2", "000000", nil)
		unknown := pinLogin(app, "nadie", "000000", nil)
		for _, res := range []*testkit.Response{wrong, unknown} {
			if res.Status != 401 || res.Map(t)["message"] != "Invalid credentials" || cookie(res, "accessToken") != nil {
				t.Fatalf("bad PIN login: %s", res)
			}
		}
		for i := 0; i < 4; i++ { // 5 failures in all
			pinLogin(app, "cajera2", "000000", nil)
		}
		res := pinLogin(app, "cajera2", "123456", nil)
		if res.Status != 429 || res.Header.Get("Retry-After") == "" || res.Map(t)["retryAfter"] == nil {
			t.Fatalf("6th attempt after 5 wrong PINs: %s %v", res, res.Header)
		}
	})
}

func TestPinCookiesSecureBehindTrustedProxy(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"TRUSTED_PROXIES": "127.0.0.1/32,::1/128"})
	newOperator(t, app, app.Token(role.Admin), "cajero3", "2468", userRoleUUID)
	res := pinLogin(app, "cajero3", "2468", map[string]string{"X-Forwarded-Proto": "https"})
	if c := cookie(res, "accessToken"); res.Status != 200 || c == nil || !c.Secure {
		t.Fatalf("cookie over a trusted TLS proxy must be Secure: %s %v", res, res.Header["Set-Cookie"])
	}
	other := testkit.NewApp(t, testkit.NewSQLite(t))
	newOperator(t, other, other.Token(role.Admin), "cajero4", "2468", userRoleUUID)
	res = pinLogin(other, "cajero4", "2468", map[string]string{"X-Forwarded-Proto": "https"})
	if c := cookie(res, "accessToken"); c == nil || c.Secure {
		t.Fatalf("an untrusted X-Forwarded-Proto must not be believed: %v", res.Header["Set-Cookie"])
	}
}

// Operators are never "self" for /usuario or /persona; their role decides.
func TestOperatorTokensOnKantutaRoutes(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		admin := app.Token(role.Admin)
		u, _ := app.NewUsuario(role.User)
		newOperator(t, app, admin, "jefe", "9999", adminRoleUUID)
		newOperator(t, app, admin, "caja", "1111", userRoleUUID)
		boss := cookie(pinLogin(app, "jefe", "9999", nil), "accessToken").Value
		cashier := cookie(pinLogin(app, "caja", "1111", nil), "accessToken").Value
		cases := []struct {
			path       string
			boss, caja int
		}{
			{fmt.Sprintf("/usuario/%d", u.ID), 200, 403},
			{"/usuario", 200, 403},
			{fmt.Sprintf("/persona/%d", u.IDPersona), 200, 403},
			{"/users", 200, 200},
			{"/roles", 200, 200},
		}
		for _, c := range cases {
			if res := app.Get(c.path, boss); res.Status != c.boss {
				t.Errorf("admin operator GET %s: %s", c.path, res)
			}
			if res := app.Get(c.path, cashier); res.Status != c.caja {
				t.Errorf("cashier operator GET %s: %s", c.path, res)
			}
		}
		if res := app.Patch(fmt.Sprintf("/usuario/%d", u.ID), cashier, map[string]any{"name": "x"}); res.Status != 403 {
			t.Errorf("cashier operator patching a usuario: %s", res)
		}
	})
}
