package login_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// statementRecorder records the SQL every request runs on db (statements
// whose context carries a request id), in order.
type statementRecorder struct {
	mu   sync.Mutex
	on   bool
	stmt []string
}

// recordStatements records the statements run on behalf of HTTP requests
// (those with a request id) while during runs; call it before anything uses
// db concurrently.
func recordStatements(t *testing.T, db *database.DB) *statementRecorder {
	rec := &statementRecorder{}
	record := func(tx *gorm.DB) {
		if tx.Statement == nil || tx.Statement.Context == nil || httpapi.RequestID(tx.Statement.Context) == "" {
			return
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if rec.on {
			rec.stmt = append(rec.stmt, tx.Statement.SQL.String())
		}
	}
	cb := db.Callback()
	name := "test:record-statements"
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, record),
		cb.Create().After("gorm:create").Register(name, record),
		cb.Update().After("gorm:update").Register(name, record),
		cb.Delete().After("gorm:delete").Register(name, record),
		cb.Row().After("gorm:row").Register(name, record),
		cb.Raw().After("gorm:raw").Register(name, record),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return rec
}

// during returns the statements the requests of f ran.
func (r *statementRecorder) during(f func()) []string {
	r.mu.Lock()
	r.on, r.stmt = true, nil
	r.mu.Unlock()
	f()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.stmt
}

// TestResetCodeSameWorkKnownOrUnknown (issue 14 item 9): POST
// /auth/reset/code answered a known e-mail in about twice the time of an
// unknown one (a transaction with the code and its mail, against one
// SELECT). Both now run the same statements on the request path — the
// lookup and one transaction replacing the email's reset row (a decoy,
// bound to no account, for an unknown email) — and only the known one's
// mail is queued, after the answer. A decoy also makes confirm-code answer
// an unknown email as it answers a wrong code.
func TestResetCodeSameWorkKnownOrUnknown(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		// Before the app starts: registering GORM callbacks races with the
		// queries of its background workers (the mail outbox).
		rec := recordStatements(t, db)
		e := newResetEnv(t, db)
		u, _ := e.app.NewUsuario(role.User)
		ask := func(email string) func() {
			return func() {
				if res := e.app.Post("/auth/reset/code", "", map[string]any{"email": email}); res.Status != 201 {
					t.Fatalf("reset/code %s: %s", email, res)
				}
			}
		}
		known := rec.during(ask(u.Email))
		e.sink.WaitFor(1, 10*time.Second) // the known email still gets its code
		unknown := rec.during(ask("nadie@example.com"))
		inactive, _ := e.app.NewUsuario(role.User)
		db.Exec("UPDATE usuario SET estado = false WHERE id = ?", inactive.ID)
		off := rec.during(ask(inactive.Email))
		t.Logf("statements on the request path: known %d, unknown %d, inactive %d", len(known), len(unknown), len(off))
		if len(known) < 3 || !strings.Contains(strings.Join(known, "\n"), "password_reset") {
			t.Fatalf("the recorder saw %q", known)
		}
		if strings.Join(known, "\n") != strings.Join(unknown, "\n") || strings.Join(known, "\n") != strings.Join(off, "\n") {
			t.Fatalf("different work for a known and an unknown email:\nknown:   %q\nunknown: %q\ninactive: %q", known, unknown, off)
		}
		var to []string
		db.Raw("SELECT to_email FROM mail_outbox ORDER BY id").Scan(&to)
		if len(to) != 1 || to[0] != u.Email {
			t.Fatalf("outbox %v, want only the known account's mail", to)
		}
		// confirm-code cannot tell them apart either.
		for _, email := range []string{u.Email, "nadie@example.com", inactive.Email} {
			e.expect("/auth/confirm-code", map[string]any{"email": email, "code": "ZZZZZZ"}, 401, "Código de verificación inválido")
		}
		// A decoy never resets anything.
		e.expect("/auth/reset-confirm", map[string]any{"email": inactive.Email, "newPassword": "NuevaClave123", "code": "ZZZZZZ"}, 401, "")
	})
}

// TestResetVerifiedByConfirmCode (issue 14 item 13): the React frontend
// resets in three steps and its last one, POST /auth/reset-confirm
// {email, newPassword}, carries neither reset_token nor code (it was a 400
// and the user was stuck). A successful confirm-code now marks that reset
// verified for 10 minutes, for that email and the client address that
// confirmed it; the bare call then succeeds once, from that address,
// within the window. Anything else stays 400.
func TestResetVerifiedByConfirmCode(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		// Client addresses come from X-Forwarded-For through a trusted proxy.
		e := newResetEnv(t, db, map[string]string{"TRUSTED_PROXIES": "127.0.0.1/32,::1/128"})
		u, _ := e.app.NewUsuario(role.User)
		other, _ := e.app.NewUsuario(role.User)
		post := func(ip, path string, body map[string]any) *testkit.Response {
			return e.app.Do(testkit.Request{Method: "POST", Path: path, Body: body, Header: map[string]string{"X-Forwarded-For": ip}})
		}
		const browser, elsewhere = "203.0.113.5", "198.51.100.7"
		bare := func(ip, email, pw string, status int) {
			t.Helper()
			res := post(ip, "/auth/reset-confirm", map[string]any{"email": email, "newPassword": pw})
			if res.Status != status {
				t.Fatalf("bare reset-confirm for %s from %s: %s, want %d", email, ip, res, status)
			}
			if status == 400 && !strings.Contains(string(res.Body), "reset_token o code es requerido") {
				t.Fatalf("bare reset-confirm 400 message: %s", res)
			}
		}

		// Not confirmed yet: 400.
		code := e.requestCode(u.Email)
		bare(browser, u.Email, "NuevaClave123", 400)
		// A wrong code verifies nothing.
		if res := post(browser, "/auth/confirm-code", map[string]any{"email": u.Email, "code": "ZZZZZZ"}); res.Status != 401 {
			t.Fatalf("wrong code: %s", res)
		}
		bare(browser, u.Email, "NuevaClave123", 400)
		// The frontend's step 2.
		if res := post(browser, "/auth/confirm-code", map[string]any{"email": u.Email, "code": code}); res.Status != 201 {
			t.Fatalf("confirm-code: %s", res)
		}
		bare(elsewhere, u.Email, "NuevaClave123", 400)   // another address
		bare(browser, other.Email, "NuevaClave123", 400) // another email
		// Past the window: 400.
		db.Exec("UPDATE password_reset SET verified_until = ? WHERE email = ?", time.Now().UTC().Add(-time.Second), u.Email)
		bare(browser, u.Email, "NuevaClave123", 400)
		// Within it (as it was): once.
		db.Exec("UPDATE password_reset SET verified_until = ? WHERE email = ?", time.Now().UTC().Add(9*time.Minute), u.Email)
		bare(browser, u.Email, "NuevaClave123", 201)
		if !e.passwordIs(u, "NuevaClave123") {
			t.Fatal("the password did not change")
		}
		bare(browser, u.Email, "OtraClave456", 400)
		if !e.passwordIs(u, "NuevaClave123") {
			t.Fatal("a second bare reset-confirm changed the password")
		}
		// The window is 10 minutes from the confirmation.
		code = e.requestCode(other.Email)
		if res := post(browser, "/auth/confirm-code", map[string]any{"email": other.Email, "code": code}); res.Status != 201 {
			t.Fatalf("confirm-code: %s", res)
		}
		var left float64
		var until time.Time
		db.Raw("SELECT verified_until FROM password_reset WHERE email = ?", other.Email).Scan(&until)
		left = time.Until(until).Minutes()
		if left < 9.5 || left > 10.1 {
			t.Fatalf("verified for %.1f minutes, want 10", left)
		}
		// Requests with a token or a code work as before.
		e.expect("/auth/reset-confirm", map[string]any{"email": other.Email, "newPassword": "ConCodigo123", "code": code}, 201, "")
		if !e.passwordIs(other, "ConCodigo123") {
			t.Fatal("reset with the code failed")
		}
		bare(browser, other.Email, "OtraClave456", 400) // spent by the code
	})
}
