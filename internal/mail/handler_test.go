package mail_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/mail"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

func nestError(t *testing.T, res *testkit.Response) map[string]any {
	t.Helper()
	m := res.Map(t)
	for _, k := range []string{"statusCode", "message", "error", "error_detail", "timestamp", "path"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("not a Nest error (no %q): %s", k, res.Body)
		}
	}
	return m
}

func TestPostMailValidation(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	tok := app.Token(role.Lider)
	valid := func() map[string]any {
		return map[string]any{"email": "ana@example.com", "subject": "Hola", "message": "Mensaje\ncon líneas", "name": "Ana"}
	}
	with := func(k string, v any) map[string]any { b := valid(); b[k] = v; return b }
	cases := []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"valid", valid(), 202, ""},
		{"without name", map[string]any{"email": "ana@example.com", "subject": "Hola", "message": "x"}, 202, ""},
		{"CRLF in subject", with("subject", "Hola\r\nBcc: victim@example.com"), 400, "subject no debe contener saltos de línea"},
		{"LF in subject", with("subject", "Hola\nBcc: victim@example.com"), 400, "subject no debe contener saltos de línea"},
		{"CR in name", with("name", "Ana\rBcc: victim@example.com"), 400, "name no debe contener saltos de línea"},
		{"subject too long", with("subject", strings.Repeat("a", 201)), 400, "subject debe tener como máximo 200 caracteres"},
		{"subject of 200 accented letters", with("subject", strings.Repeat("ñ", 200)), 202, ""},
		{"message too long", with("message", strings.Repeat("a", 10001)), 400, "message debe tener como máximo 10000 caracteres"},
		{"name too long", with("name", strings.Repeat("a", 101)), 400, "name debe tener como máximo 100 caracteres"},
		{"bad email", with("email", "no-es-correo"), 400, "email debe ser un correo válido"},
		{"email with CRLF", with("email", "a@b.com\r\nBcc: c@d.com"), 400, "email"},
		{"blank message", with("message", "   "), 400, "message no debe estar vacío"},
		{"unknown field", with("cc", "x@example.com"), 400, "la propiedad cc no está permitida"},
		{"wrong type", with("subject", 5), 400, "subject debe ser un texto"},
		{"empty body", map[string]any{}, 400, "email es requerido"},
		{"name with accents and dots", with("name", "María J. Pérez-Ñuflo (caja 2)"), 202, ""},
		{"name with quotes", with("name", `Ana" <evil@x.test>`), 400, "name no debe contener comillas, <, >, @, comas ni barras invertidas"},
		{"name with angle brackets", with("name", "Soporte <soporte@banco.test>"), 400, "name no debe contener comillas"},
		{"name with @", with("name", "soporte@banco.test"), 400, "name no debe contener comillas"},
		{"name with a comma", with("name", "Ana, victima@x.test"), 400, "name no debe contener comillas"},
		{"name with a backslash", with("name", `Ana\`), 400, "name no debe contener comillas"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := app.Post("/mail", tok, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if tc.status == 202 {
				m := res.Map(t)
				if m["message"] != "Correo en cola de envío" || m["id"] == nil {
					t.Fatalf("answer %s", res.Body)
				}
				return
			}
			m := nestError(t, res)
			if !strings.Contains(fmt.Sprint(m["message"]), tc.want) {
				t.Fatalf("message %v, want %q", m["message"], tc.want)
			}
		})
	}
	if res := app.Post("/mail", "", valid()); res.Status != 401 {
		t.Fatalf("without a token: %s", res)
	}
	var n int64
	app.DB.Raw("SELECT count(*) FROM mail_outbox WHERE subject LIKE '%Bcc%' OR to_name LIKE '%Bcc%'").Scan(&n)
	if n != 0 {
		t.Fatal("a refused mail was queued")
	}
}

func TestPublicMailIsRateLimited(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"MAIL_PUBLIC": "true", "RATE_LIMIT_PUBLIC": "2/min"})
	body := map[string]any{"email": "ana@example.com", "subject": "Hola", "message": "x", "name": "Ana"}
	for i := 0; i < 2; i++ {
		if res := app.Post("/mail", "", body); res.Status != 202 {
			t.Fatalf("public mail %d: %s", i, res)
		}
	}
	res := app.Post("/mail", "", body)
	if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third public mail: %d %v %s", res.Status, res.Header, res.Body)
	}
	nestError(t, res)
	// A cashier's token gives no more than none: the same per-IP limit.
	if res := app.Post("/mail", app.Token(role.User), body); res.Status != http.StatusTooManyRequests {
		t.Fatalf("a cashier skipped the public limit: %s", res)
	}
	// Admins and líderes are counted per account (MAIL_RATE_LIMIT), not per IP.
	if res := app.Post("/mail", app.Token(role.Admin), body); res.Status != 202 {
		t.Fatalf("an admin was held by the public limit: %s", res)
	}
}

func TestGetMail(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	admin := app.Token(role.Admin)
	res := app.Post("/mail", admin, map[string]any{"email": "ana@example.com", "subject": "Estado", "message": "secreto del cuerpo"})
	id := int64(res.Map(t)["id"].(float64))
	cases := []struct {
		name, path, token string
		status            int
	}{
		{"admin", fmt.Sprintf("/mail/%d", id), admin, 200},
		{"cashier", fmt.Sprintf("/mail/%d", id), app.Token(role.User), 403},
		{"lider", fmt.Sprintf("/mail/%d", id), app.Token(role.Lider), 403},
		{"anonymous", fmt.Sprintf("/mail/%d", id), "", 401},
		{"unknown", "/mail/999999", admin, 404},
		{"not a number", "/mail/abc", admin, 400},
		{"negative", "/mail/-1", admin, 400},
		{"overflow", "/mail/99999999999999999999999", admin, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := app.Get(tc.path, tc.token)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if tc.status != 200 {
				nestError(t, res)
				return
			}
			m := res.Map(t)
			if m["email"] != "ana@example.com" || m["subject"] != "Estado" || m["status"] == nil || m["attempts"] == nil {
				t.Fatalf("state: %s", res.Body)
			}
			if strings.Contains(string(res.Body), "secreto") {
				t.Fatal("GET /mail/:id shows the body")
			}
		})
	}
}

func waitSent(t *testing.T, app *testkit.App, n int64, timeout time.Duration) {
	t.Helper()
	waitStatus(t, app.DB, mail.StatusSent, n, timeout)
}

func TestMailThroughTheApp(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		sink := testkit.NewSMTPSink(t)
		app := testkit.NewApp(t, db, sink.Env())
		admin := app.Token(role.Admin)
		res := app.Post("/mail", admin, map[string]any{"email": "ana@example.com", "subject": "Prueba", "message": "Hola desde la app", "name": "Ana"})
		if res.Status != 202 {
			t.Fatalf("POST /mail: %s", res)
		}
		id := int64(res.Map(t)["id"].(float64))
		msgs := sink.WaitFor(1, 10*time.Second)
		if !strings.Contains(msgs[0].Text, "Hola desde la app") || msgs[0].Header.Get("X-Kantuta-Mail-Id") != fmt.Sprint(id) {
			t.Fatalf("delivered: %s", msgs[0].Raw)
		}
		waitSent(t, app, 1, 5*time.Second)
		if m := app.Get(fmt.Sprintf("/mail/%d", id), admin).Map(t); m["status"] != "sent" || m["sent_at"] == nil {
			t.Fatalf("state after delivery: %v", m)
		}
		metrics := string(app.Get("/metrics", "").Body)
		for _, series := range []string{`kantuta_mail_outbox_depth{status="queued"} 0`, "kantuta_mail_sent_total 1", "kantuta_mail_failed_total 0"} {
			if !strings.Contains(metrics, series) {
				t.Errorf("metrics lack %q", series)
			}
		}
	})
}

// TestNoMailLostAcrossOutageAndRestart: 100 mails accepted while SMTP is
// down, the process stopped, a new one started on the same database with
// SMTP back: every mail arrives, once. It takes the default first retry
// delay (5 s), which is what a real restart sees.
func TestNoMailLostAcrossOutageAndRestart(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		sink := testkit.NewSMTPSink(t)
		sink.Stop()
		t.Run("first process, SMTP down", func(t *testing.T) {
			app := testkit.NewApp(t, db, sink.Env())
			tok := app.Token(role.Admin)
			for i := 0; i < 100; i++ {
				res := app.Post("/mail", tok, map[string]any{"email": fmt.Sprintf("c%d@example.com", i), "subject": fmt.Sprintf("Corte %d", i), "message": "x"})
				if res.Status != 202 {
					t.Fatalf("mail %d: %s", i, res)
				}
			}
			waitFailedTries(t, db, 100, 1, 15*time.Second)
		}) // the first process stops here
		if got := byStatus(t, db); got[mail.StatusQueued] != 100 {
			t.Fatalf("after the first process stopped: %v", got)
		}
		sink.Start()
		app := testkit.NewApp(t, db, sink.Env())
		waitSent(t, app, 100, 30*time.Second)
		time.Sleep(200 * time.Millisecond)
		deliveredOnce(t, sink.Messages(), 100)
	})
}
