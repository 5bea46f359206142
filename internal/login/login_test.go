package login_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

const password = "Password123!" // what testkit.NewUsuario sets

func signIn(t *testing.T, app *testkit.App, email, pw string) *testkit.Response {
	t.Helper()
	return app.Post("/auth/login", "", map[string]any{"email": email, "password": pw})
}

func TestLogin(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		u, _ := app.NewUsuario(role.Lider)

		res := signIn(t, app, strings.ToUpper(u.Email), password)
		if res.Status != http.StatusCreated {
			t.Fatalf("login: %s", res)
		}
		body := res.Map(t)
		user := body["user"].(map[string]any)
		if body["access_token"] == "" || body["refresh_token"] == "" || user["email"] != u.Email || user["role"].(map[string]any)["nombre"] != "lider" {
			t.Fatalf("login body: %s", res)
		}
		// Claims keep the Nest names; sub is a number.
		parts := strings.Split(body["access_token"].(string), ".")
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		json.Unmarshal(raw, &claims)
		if claims["sub"] != float64(u.ID) || claims["username"] != u.Email || claims["roleName"] != "lider" ||
			claims["roleId"] != float64(2) || claims["typ"] != "access" || claims["iss"] != "kantuta" || claims["jti"] == nil {
			t.Fatalf("claims: %v", claims)
		}

		wrong := signIn(t, app, u.Email, "not-the-password")
		unknown := signIn(t, app, "nadie@kantuta.bo", "not-the-password")
		if wrong.Status != 401 || unknown.Status != 401 ||
			wrong.Map(t)["message"] != "Credenciales inválidas" || unknown.Map(t)["message"] != "Credenciales inválidas" {
			t.Fatalf("wrong password and unknown email must answer alike: %s / %s", wrong, unknown)
		}
		if res := app.Post("/auth/login", "", map[string]any{"email": "no"}); res.Status != 400 {
			t.Fatalf("invalid login body: %s", res)
		}
		db.Exec("UPDATE usuario SET estado = false WHERE id = ?", u.ID)
		if res := signIn(t, app, u.Email, password); res.Status != 403 {
			t.Fatalf("inactive account: %s", res)
		}
	})
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		u, _ := app.NewUsuario(role.User)
		for i := 1; i <= 5; i++ {
			if res := signIn(t, app, u.Email, "wrong"); res.Status != 401 {
				t.Fatalf("failure %d: %s", i, res)
			}
		}
		res := signIn(t, app, u.Email, password)
		if res.Status != 429 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("6th attempt (right password) should be locked: %s %v", res, res.Header)
		}
		// Unknown accounts lock the same way: no enumeration through the lockout.
		for i := 0; i < 5; i++ {
			signIn(t, app, "ghost@kantuta.bo", "x")
		}
		if res := signIn(t, app, "ghost@kantuta.bo", "x"); res.Status != 429 {
			t.Fatalf("unknown account not locked alike: %s", res)
		}
		// After the lock ends, the right password works and resets the count.
		db.Exec("UPDATE login_failure SET locked_until = ?", time.Now().Add(-time.Minute).UTC())
		if res := signIn(t, app, u.Email, password); res.Status != 201 {
			t.Fatalf("after the lock: %s", res)
		}
	})
}

func TestLoginRateLimitPerIP(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"RATE_LIMIT_LOGIN": "3/min"})
	for i := 0; i < 3; i++ {
		if res := signIn(t, app, fmt.Sprintf("n%d@kantuta.bo", i), "x"); res.Status != 401 {
			t.Fatalf("attempt %d: %s", i, res)
		}
	}
	res := signIn(t, app, "n9@kantuta.bo", "x")
	if res.Status != 429 || res.Header.Get("Retry-After") == "" || res.Map(t)["statusCode"] != float64(429) {
		t.Fatalf("4th login from one IP: %s", res)
	}
	// A spoofed X-Forwarded-For does not buy a new bucket without TRUSTED_PROXIES.
	res = app.Do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]any{"email": "a@b.co", "password": "x"},
		Header: map[string]string{"X-Forwarded-For": "203.0.113.9"}})
	if res.Status != 429 {
		t.Fatalf("X-Forwarded-For bypassed the limit: %s", res)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		u, _ := app.NewUsuario(role.User)
		first := signIn(t, app, u.Email, password).Map(t)
		r1 := first["refresh_token"].(string)

		// Bearer header.
		res := app.Do(testkit.Request{Method: "POST", Path: "/auth/refresh_token", Token: r1})
		if res.Status != 201 {
			t.Fatalf("refresh via bearer: %s", res)
		}
		second := res.Map(t)
		r2 := second["refresh_token"].(string)
		if r2 == r1 || second["access_token"] == first["access_token"] {
			t.Fatal("rotation returned the same tokens")
		}
		if res := app.Get("/auth/me", second["access_token"].(string)); res.Status != 200 || res.Map(t)["email"] != u.Email {
			t.Fatalf("new access token: %s", res)
		}
		// Body form.
		res = app.Post("/auth/refresh_token", "", map[string]any{"refresh_token": r2})
		if res.Status != 201 {
			t.Fatalf("refresh via body: %s", res)
		}
		r3 := res.Map(t)["refresh_token"].(string)
		access3 := res.Map(t)["access_token"].(string)

		// Re-using a rotated token kills the whole family, including the live one.
		if res := app.Post("/auth/refresh_token", "", map[string]any{"refresh_token": r1}); res.Status != 401 {
			t.Fatalf("re-used refresh token accepted: %s", res)
		}
		if res := app.Post("/auth/refresh_token", "", map[string]any{"refresh_token": r3}); res.Status != 401 {
			t.Fatalf("family survived re-use: %s", res)
		}
		if res := app.Get("/auth/me", access3); res.Status != 401 {
			t.Fatalf("access token of a revoked family still works: %s", res)
		}
		// An access token is no refresh token, and garbage is refused.
		access := signIn(t, app, u.Email, password).Map(t)["access_token"].(string)
		for _, bad := range []string{access, "garbage", ""} {
			if res := app.Post("/auth/refresh_token", "", map[string]any{"refresh_token": bad}); res.Status != 401 {
				t.Fatalf("refresh with %.10q: %s", bad, res)
			}
		}
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		u, _ := app.NewUsuario(role.User)
		a := signIn(t, app, u.Email, password).Map(t)
		b := signIn(t, app, u.Email, password).Map(t)
		res := app.Post("/auth/logout", a["access_token"].(string), nil)
		if res.Status != 200 || res.Map(t)["message"] != "Logout successful" {
			t.Fatalf("logout: %s", res)
		}
		if res := app.Get("/auth/me", a["access_token"].(string)); res.Status != 401 {
			t.Fatalf("access token after logout: %s", res)
		}
		if res := app.Post("/auth/refresh_token", "", map[string]any{"refresh_token": a["refresh_token"]}); res.Status != 401 {
			t.Fatalf("refresh after logout: %s", res)
		}
		if res := app.Get("/auth/me", b["access_token"].(string)); res.Status != 200 {
			t.Fatalf("the other session must live on: %s", res)
		}
		if res := app.Post("/auth/logout", "", nil); res.Status != 401 {
			t.Fatalf("logout without token: %s", res)
		}
	})
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	u, _ := app.NewUsuario(role.User)
	a := signIn(t, app, u.Email, password).Map(t)["access_token"].(string)
	b := signIn(t, app, u.Email, password).Map(t)["access_token"].(string)
	if res := app.Patch(fmt.Sprintf("/usuario/%d", u.ID), a, map[string]any{"password": "OtraClave456", "currentPassword": password}); res.Status != 200 {
		t.Fatalf("patch password: %s", res)
	}
	if res := app.Get("/auth/me", a); res.Status != 200 {
		t.Fatalf("the session that changed the password should live on: %s", res)
	}
	if res := app.Get("/auth/me", b); res.Status != 401 {
		t.Fatalf("another session survived the password change: %s", res)
	}
}

func TestMeAndRoles(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"ROLE_NAMES": "Administrador,Operador,Usuario"})
		u, tok := app.NewUsuario(role.User)
		res := app.Get("/auth/me", tok)
		if res.Status != 200 || res.Map(t)["id"] != float64(u.ID) {
			t.Fatalf("me: %s", res)
		}
		res = app.Get("/auth/roles/list", tok)
		var roles []map[string]any
		res.JSON(t, &roles)
		if res.Status != 200 || len(roles) != 3 || roles[0]["nombre"] != "Administrador" || roles[1]["nombre"] != "Operador" || roles[2]["id"] != float64(3) {
			t.Fatalf("roles with ROLE_NAMES: %s", res)
		}
	})
}

func TestHashCostUpgradeAtLogin(t *testing.T) {
	db := testkit.NewSQLite(t)
	app := testkit.NewApp(t, db, map[string]string{"SALT_ROUNDS": "5"})
	u, _ := app.NewUsuario(role.User)
	old, _ := bcrypt.GenerateFromPassword([]byte(password), 4)
	db.Exec("UPDATE usuario SET password = ? WHERE id = ?", string(old), u.ID)
	if res := signIn(t, app, u.Email, password); res.Status != 201 {
		t.Fatalf("login: %s", res)
	}
	var hash string
	db.Table("usuario").Select("password").Where("id = ?", u.ID).Scan(&hash)
	if cost, _ := bcrypt.Cost([]byte(hash)); cost != 5 {
		t.Fatalf("hash cost %d after login, want 5", cost)
	}
}

func TestChangePasswordKeepsTheCallersSession(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	u, _ := app.NewUsuario(role.User)
	a := signIn(t, app, u.Email, password).Map(t)["access_token"].(string)
	b := signIn(t, app, u.Email, password).Map(t)["access_token"].(string)
	res := app.Post("/auth/change-password", a, map[string]any{"currentPassword": password, "newPassword": "OtraClave789"})
	if res.Status != 201 {
		t.Fatalf("change-password: %s", res)
	}
	if res := app.Get("/auth/me", a); res.Status != 200 {
		t.Fatalf("the caller's session should live on: %s", res)
	}
	if res := app.Get("/auth/me", b); res.Status != 401 {
		t.Fatalf("another session survived: %s", res)
	}
	if res := signIn(t, app, u.Email, "OtraClave789"); res.Status != 201 {
		t.Fatalf("login with the new password: %s", res)
	}
}

// Reset and mail bodies report every failing field at once, unknown ones
// included, like registration does.
func TestEveryFailingFieldAtOnce(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	cases := []struct {
		path, token string
		body        map[string]any
		want        []string
	}{
		{"/auth/reset/code", "", map[string]any{"correo": "x"}, []string{"email es requerido", "la propiedad correo no está permitida"}},
		{"/auth/confirm-code", "", map[string]any{"email": "no", "code": 7}, []string{"email debe ser un correo válido", "code debe ser un texto"}},
		{"/mail", app.Token(role.Lider), map[string]any{"email": "a@b.co", "subject": "x\r\nBcc: y", "extra": true},
			[]string{"subject no debe contener saltos de línea ni caracteres de control", "message es requerido", "la propiedad extra no está permitida"}},
	}
	for _, tc := range cases {
		res := app.Post(tc.path, tc.token, tc.body)
		if res.Status != 400 {
			t.Fatalf("%s: %s", tc.path, res)
		}
		got := fmt.Sprint(res.Map(t)["message"])
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %s lacks %q", tc.path, got, w)
			}
		}
	}
}
