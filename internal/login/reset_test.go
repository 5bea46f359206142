package login_test

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
	"github.com/kantuta/kantuta/internal/usuario"
)

var codeRe = regexp.MustCompile(`código de verificación es: ([A-Z0-9]{6})`)

type resetEnv struct {
	t    *testing.T
	app  *testkit.App
	sink *testkit.SMTPSink
}

func newResetEnv(t *testing.T, db *database.DB, env ...map[string]string) *resetEnv {
	sink := testkit.NewSMTPSink(t)
	return &resetEnv{t: t, app: testkit.NewApp(t, db, append([]map[string]string{sink.Env()}, env...)...), sink: sink}
}

// requestCode asks for a code for email and reads it from the delivered mail.
func (e *resetEnv) requestCode(email string) string {
	e.t.Helper()
	before := len(e.sink.Messages())
	res := e.app.Post("/auth/reset/code", "", map[string]any{"email": email})
	if res.Status != 201 || res.Map(e.t)["message"] != "Código de verificación enviado al correo" {
		e.t.Fatalf("reset/code: %s", res)
	}
	// The code's mail is queued after the answer (and a pause): other
	// mails (a password-changed notice) may arrive before it.
	deadline := time.Now().Add(10 * time.Second)
	for n := before + 1; ; n++ {
		msgs := e.sink.WaitFor(n, time.Until(deadline))
		m := msgs[n-1]
		if found := codeRe.FindStringSubmatch(m.Text); found != nil && strings.Contains(m.Header.Get("To"), normalizedEmail(email)) {
			if !strings.Contains(m.HTML, found[1]) {
				e.t.Fatalf("the code is not in the HTML part: %s", m.Raw)
			}
			return found[1]
		}
	}
}

// normalizedEmail is how the server writes an address.
func normalizedEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (e *resetEnv) expect(path string, body map[string]any, status int, message string) map[string]any {
	e.t.Helper()
	res := e.app.Post(path, "", body)
	m := res.Map(e.t)
	if res.Status != status || (message != "" && fmt.Sprint(m["message"]) != message) {
		e.t.Fatalf("POST %s %v: %s, want %d %q", path, body, res, status, message)
	}
	return m
}

func (e *resetEnv) passwordIs(u usuario.Usuario, password string) bool {
	e.t.Helper()
	got, err := e.app.Usuarios.ByID(context.Background(), u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	ok, _, _ := e.app.Hasher.Compare(context.Background(), got.Password, password)
	return ok
}

func TestResetFlowEndToEnd(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newResetEnv(t, db)
		app := e.app
		u, oldToken := app.NewUsuario(role.User)
		db.Exec(`INSERT INTO refresh_token (id, family, account_kind, account_id, token_hash, expires_at)
			VALUES ('r1', 'f1', 'usuario', ?, 'h', ?)`, fmt.Sprint(u.ID), time.Now().UTC().Add(time.Hour))

		// Unknown emails get the same answer, and no mail.
		unknown := app.Post("/auth/reset/code", "", map[string]any{"email": "nadie@example.com"})
		code := e.requestCode(strings.ToUpper(u.Email))
		if unknown.Status != 201 || unknown.Map(t)["message"] != "Código de verificación enviado al correo" {
			t.Fatalf("unknown email: %s", unknown)
		}
		// Both answers were given after their transactions: the outbox
		// holds every mail either request queued.
		var queued []string
		db.Raw("SELECT to_email FROM mail_outbox").Scan(&queued)
		if len(queued) != 1 || queued[0] != u.Email {
			t.Fatalf("outbox %v, want only the known account's mail", queued)
		}
		if n := len(e.sink.Messages()); n != 1 {
			t.Fatalf("%d mails, want only the known account's", n)
		}
		var stored string
		db.Raw("SELECT code_hash FROM password_reset WHERE email = ?", u.Email).Scan(&stored)
		if stored == "" || strings.Contains(stored, code) {
			t.Fatalf("code stored in clear or not at all: %q", stored)
		}

		e.expect("/auth/confirm-code", map[string]any{"email": u.Email, "code": "ZZZZZZ"}, 401, "Código de verificación inválido")
		ok := e.expect("/auth/confirm-code", map[string]any{"email": u.Email, "code": strings.ToLower(code)}, 201, "Código de verificación correcto")
		token, _ := ok["reset_token"].(string)
		if len(token) < 32 {
			t.Fatalf("reset_token %q", token)
		}
		e.expect("/auth/reset-confirm", map[string]any{"email": u.Email, "newPassword": "NuevaClave123", "reset_token": token + "x"}, 401, "")
		e.expect("/auth/reset-confirm", map[string]any{"email": "otro@example.com", "newPassword": "NuevaClave123", "reset_token": token}, 401, "")
		e.expect("/auth/reset-confirm", map[string]any{"email": u.Email, "newPassword": "NuevaClave123", "reset_token": token}, 201, "Contraseña actualizada correctamente")
		if !e.passwordIs(u, "NuevaClave123") {
			t.Fatal("the password did not change")
		}
		// Spent: neither the token nor the code works again.
		e.expect("/auth/reset-confirm", map[string]any{"email": u.Email, "newPassword": "OtraClave456", "reset_token": token}, 401, "")
		e.expect("/auth/reset-confirm", map[string]any{"email": u.Email, "newPassword": "OtraClave456", "code": code}, 401, "El código ha expirado o no existe")
		e.expect("/auth/confirm-code", map[string]any{"email": u.Email, "code": code}, 401, "El código ha expirado o no existe")
		if !e.passwordIs(u, "NuevaClave123") {
			t.Fatal("a spent proof changed the password")
		}
		// Every session is dead: the access token (version bump) and the refresh tokens.
		if res := app.Post("/auth/change-password", oldToken, map[string]any{"currentPassword": "NuevaClave123", "newPassword": "x1234567"}); res.Status != 401 {
			t.Fatalf("old access token still works: %s", res)
		}
		var live int64
		db.Raw("SELECT count(*) FROM refresh_token WHERE account_id = ? AND revoked_at IS NULL", fmt.Sprint(u.ID)).Scan(&live)
		if live != 0 {
			t.Fatal("refresh tokens survive a password reset")
		}
		msgs := e.sink.WaitFor(2, 10*time.Second)
		subject, _ := new(mime.WordDecoder).DecodeHeader(msgs[1].Header.Get("Subject"))
		if !strings.Contains(subject, "contraseña") || !strings.Contains(msgs[1].Text, u.Email) {
			t.Fatalf("password-changed mail: %q %s", subject, msgs[1].Text)
		}
		logs := app.Logs.String()
		for _, secret := range []string{code, token, "NuevaClave123"} {
			if strings.Contains(logs, secret) {
				t.Fatalf("the log contains a secret %q", secret)
			}
		}
		var body string
		db.Raw("SELECT body_text FROM mail_outbox WHERE kind = 'reset_code'").Scan(&body)
		if strings.Contains(body, code) {
			t.Fatal("the delivered reset code stays in the outbox")
		}
	})
}

func TestResetCodeRules(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newResetEnv(t, db)
		u, _ := e.app.NewUsuario(role.User)
		email := u.Email

		t.Run("five wrong tries kill the code", func(t *testing.T) {
			code := e.requestCode(email)
			for i := 0; i < 5; i++ {
				e.expect("/auth/confirm-code", map[string]any{"email": email, "code": "WRONG" + fmt.Sprint(i)}, 401, "Código de verificación inválido")
			}
			e.expect("/auth/confirm-code", map[string]any{"email": email, "code": code}, 401, "El código ha expirado o no existe")
			e.expect("/auth/reset-confirm", map[string]any{"email": email, "newPassword": "NuevaClave123", "code": code}, 401, "El código ha expirado o no existe")
		})
		t.Run("right codes do not count as tries", func(t *testing.T) {
			code := e.requestCode(email)
			for i := 0; i < 4; i++ {
				e.expect("/auth/confirm-code", map[string]any{"email": email, "code": "NOPE22"}, 401, "Código de verificación inválido")
			}
			for i := 0; i < 3; i++ {
				e.expect("/auth/confirm-code", map[string]any{"email": email, "code": code}, 201, "Código de verificación correcto")
			}
		})
		t.Run("concurrent guesses cannot exceed five tries", func(t *testing.T) {
			e.requestCode(email)
			var wg sync.WaitGroup
			statuses := make(chan string, 20)
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res := e.app.Post("/auth/confirm-code", "", map[string]any{"email": email, "code": fmt.Sprintf("X%05d", i)})
					var m map[string]any
					_ = json.Unmarshal(res.Body, &m)
					statuses <- fmt.Sprint(res.Status, " ", m["message"])
				}()
			}
			wg.Wait()
			close(statuses)
			count := map[string]int{}
			for s := range statuses {
				count[s]++
			}
			if count["401 Código de verificación inválido"] != 5 || count["401 El código ha expirado o no existe"] != 15 {
				t.Fatalf("answers to 20 concurrent wrong guesses: %v", count)
			}
		})
		t.Run("expired code", func(t *testing.T) {
			code := e.requestCode(email)
			db.Exec("UPDATE password_reset SET expires_at = ? WHERE email = ?", time.Now().UTC().Add(-time.Second), email)
			e.expect("/auth/confirm-code", map[string]any{"email": email, "code": code}, 401, "El código ha expirado o no existe")
		})
		t.Run("expired token", func(t *testing.T) {
			code := e.requestCode(email)
			tok := e.expect("/auth/confirm-code", map[string]any{"email": email, "code": code}, 201, "")["reset_token"]
			db.Exec("UPDATE password_reset SET token_expires_at = ? WHERE email = ?", time.Now().UTC().Add(-time.Second), email)
			e.expect("/auth/reset-confirm", map[string]any{"email": email, "newPassword": "NuevaClave123", "reset_token": tok}, 401, "")
		})
		t.Run("a new code replaces the old one", func(t *testing.T) {
			first := e.requestCode(email)
			second := e.requestCode(email)
			if first != second {
				e.expect("/auth/confirm-code", map[string]any{"email": email, "code": first}, 401, "Código de verificación inválido")
			}
			e.expect("/auth/confirm-code", map[string]any{"email": email, "code": second}, 201, "")
		})
		t.Run("validation", func(t *testing.T) {
			cases := []struct {
				path string
				body map[string]any
				want string
			}{
				{"/auth/reset/code", map[string]any{"email": "no-es-correo"}, "email debe ser un correo válido"},
				{"/auth/reset/code", map[string]any{"email": email, "extra": 1}, "la propiedad extra no está permitida"},
				{"/auth/confirm-code", map[string]any{"email": email}, "code es requerido"},
				// (email's own reset was confirmed from here by the subtests above: see TestResetVerifiedByConfirmCode)
				{"/auth/reset-confirm", map[string]any{"email": "sin.verificar@example.com", "newPassword": "NuevaClave123"}, "reset_token o code es requerido"},
				{"/auth/reset-confirm", map[string]any{"email": email, "newPassword": "corta", "code": "ABCDEF"}, "newPassword debe tener al menos 8 bytes"},
				{"/auth/reset-confirm", map[string]any{"email": email, "newPassword": strings.Repeat("a", 73), "code": "ABCDEF"}, "newPassword debe tener como máximo 72 bytes"},
			}
			for _, tc := range cases {
				res := e.app.Post(tc.path, "", tc.body)
				if res.Status != 400 || !strings.Contains(fmt.Sprint(res.Map(t)["message"]), tc.want) {
					t.Errorf("POST %s %v: %s, want 400 %q", tc.path, tc.body, res, tc.want)
				}
			}
		})
		t.Run("reset with the code alone", func(t *testing.T) {
			code := e.requestCode(email)
			e.expect("/auth/reset-confirm", map[string]any{"email": email, "newPassword": "ConCodigo123", "code": code}, 201, "Contraseña actualizada correctamente")
			if !e.passwordIs(u, "ConCodigo123") {
				t.Fatal("password not changed")
			}
		})
	})
}

func TestResetRoutesAreRateLimited(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"RATE_LIMIT_PUBLIC": "2/min"})
	for i := 0; i < 2; i++ {
		if res := app.Post("/auth/reset/code", "", map[string]any{"email": "x@example.com"}); res.Status != 201 {
			t.Fatalf("request %d: %s", i, res)
		}
	}
	res := app.Post("/auth/confirm-code", "", map[string]any{"email": "x@example.com", "code": "ABCDEF"})
	m := res.Map(t)
	if res.Status != 429 || res.Header.Get("Retry-After") == "" || m["statusCode"] != float64(429) {
		t.Fatalf("third public reset request: %d %v %s", res.Status, res.Header, res.Body)
	}
}

func TestChangePassword(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		e := newResetEnv(t, db)
		app := e.app
		const initial = "Password123!" // testkit's
		cashier, cashierTok := app.NewUsuario(role.User)
		other, otherTok := app.NewUsuario(role.User)
		_, adminTok := app.NewUsuario(role.Admin)
		cases := []struct {
			name   string
			token  string
			body   map[string]any
			status int
			want   string
		}{
			{"no token", "", map[string]any{"currentPassword": initial, "newPassword": "NuevaClave1"}, 401, ""},
			{"wrong current password", cashierTok, map[string]any{"currentPassword": "equivocada", "newPassword": "NuevaClave1"}, 400, "La contraseña actual es incorrecta"},
			{"missing current password", cashierTok, map[string]any{"newPassword": "NuevaClave1"}, 400, "currentPassword es requerido"},
			{"short new password", cashierTok, map[string]any{"currentPassword": initial, "newPassword": "corta"}, 400, "newPassword debe tener al menos 8 bytes"},
			{"cashier for another account", cashierTok, map[string]any{"email": other.Email, "newPassword": "NuevaClave1"}, 403, ""},
			{"admin for an unknown account", adminTok, map[string]any{"email": "nadie@example.com", "newPassword": "NuevaClave1"}, 404, "No existen datos de usuario"},
			{"own password", cashierTok, map[string]any{"currentPassword": initial, "newPassword": "NuevaClave1"}, 201, "Contraseña actualizada correctamente"},
			{"the old token is dead", cashierTok, map[string]any{"currentPassword": "NuevaClave1", "newPassword": "OtraClave22"}, 401, ""},
			{"admin for another account", adminTok, map[string]any{"email": strings.ToUpper(other.Email), "newPassword": "DelAdmin123"}, 201, "Contraseña actualizada correctamente"},
			{"that account's token is dead", otherTok, map[string]any{"currentPassword": "DelAdmin123", "newPassword": "OtraClave22"}, 401, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := app.Post("/auth/change-password", tc.token, tc.body)
				if res.Status != tc.status || !strings.Contains(fmt.Sprint(res.Map(t)["message"]), tc.want) {
					t.Fatalf("%s, want %d %q", res, tc.status, tc.want)
				}
			})
		}
		if !e.passwordIs(cashier, "NuevaClave1") || !e.passwordIs(other, "DelAdmin123") {
			t.Fatal("passwords not stored")
		}
		e.sink.WaitFor(2, 10*time.Second) // two password-changed notices
		if logs := app.Logs.String(); strings.Contains(logs, "NuevaClave1") || strings.Contains(logs, "DelAdmin123") {
			t.Fatal("a password reached the log")
		}
	})
}
