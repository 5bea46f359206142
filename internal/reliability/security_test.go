package reliability

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/login"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestSecurityHeaders checks the headers of answers of every route family,
// successes and errors alike (the errors answered before any handler too:
// 404, 405, 413, 415).
func TestSecurityHeaders(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	admin := app.Token(role.Admin)
	reqs := []testkit.Request{
		{Method: "GET", Path: "/healthz"},
		{Method: "GET", Path: "/readyz"},
		{Method: "GET", Path: "/metrics"},
		{Method: "POST", Path: "/auth/login", Body: `{"email":"nadie@kantuta.test","password":"x"}`},
		{Method: "GET", Path: "/auth/me"},
		{Method: "GET", Path: "/auth/me", Token: admin},
		{Method: "GET", Path: "/usuario", Token: admin},
		{Method: "GET", Path: "/usuario/1", Token: admin},
		{Method: "POST", Path: "/usuario/register", Body: `{}`},
		{Method: "GET", Path: "/persona", Token: admin},
		{Method: "GET", Path: "/persona/999999", Token: admin},
		{Method: "POST", Path: "/persona", Body: "x", Header: map[string]string{"Content-Type": "text/plain"}},
		{Method: "POST", Path: "/persona", Body: strings.Repeat("a", 1<<20+1)},
		{Method: "DELETE", Path: "/healthz"},
		{Method: "GET", Path: "/nope"},
		{Method: "OPTIONS", Path: "/auth/login", Header: map[string]string{"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"}},
		// Families whose routes come with other branches: their error paths exist already.
		{Method: "GET", Path: "/api/pos/clientes", Token: admin},
		{Method: "POST", Path: "/api/pos/clientes", Body: "x", Header: map[string]string{"Content-Type": "text/plain"}},
		{Method: "GET", Path: "/users", Token: admin},
		{Method: "GET", Path: "/roles"},
	}
	families := map[string]int{}
	for _, rq := range reqs {
		res := app.Do(rq)
		r, _ := http.NewRequest(rq.Method, "http://x"+rq.Path, nil)
		families[familyOf(r)]++
		name := fmt.Sprintf("%s %s → %d", rq.Method, rq.Path, res.Status)
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", name, res.Header.Get("X-Content-Type-Options"))
		}
		if res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", name)
		}
		if res.Header.Get("X-Powered-By") != "" || res.Header.Get("Server") != "" {
			t.Errorf("%s: reveals the server: %q %q", name, res.Header.Get("X-Powered-By"), res.Header.Get("Server"))
		}
	}
	figure(t, "security headers: %d answers (nest %d, clientes %d, plain %d) all with nosniff and Referrer-Policy, none with X-Powered-By or Server",
		len(reqs), families["nest"], families["clientes"], families["plain"])
}

var (
	jwtPattern    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
	bcryptPattern = regexp.MustCompile(`\$2[aby]\$\d\d\$`)
)

// TestNoSecretsInLogsOrAnswers runs a whole identity session (register,
// logins right and wrong, refresh by body, header and cookie, refresh
// re-use, password change, persona update, logout) on both databases and
// then scans everything the server logged, at debug level, and every
// answer: no password, bcrypt hash or token may appear in the log, no hash
// in any answer.
func TestNoSecretsInLogsOrAnswers(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		const adminPass = "AdminSecreto123"
		app := testkit.NewApp(t, db, map[string]string{"KANTUTA_ADMIN_PASSWORD": adminPass})
		secrets := map[string]string{} // value → what it is
		var answers []*testkit.Response
		do := func(rq testkit.Request, want ...int) *testkit.Response {
			t.Helper()
			res := app.Do(rq)
			answers = append(answers, res)
			if len(want) > 0 && res.Status != want[0] {
				t.Fatalf("%s %s: %s, want %d", rq.Method, rq.Path, res, want[0])
			}
			return res
		}
		tokens := func(res *testkit.Response) (string, string) {
			m := res.Map(t)
			a, _ := m["access_token"].(string)
			r, _ := m["refresh_token"].(string)
			secrets[a], secrets[r] = "access token", "refresh token"
			return a, r
		}
		pass1, pass2, wrong := "ClaveFuerte123!", "OtraClave456?", "ClaveEquivocada789"
		secrets[pass1], secrets[pass2], secrets[wrong], secrets[adminPass] = "password", "password", "wrong password", "admin password"

		email := "log-scan-" + randomHex(3) + "@kantuta.test"
		reg := do(testkit.Request{Method: "POST", Path: "/usuario/register", Body: registerBody(email)}, 201)
		id := int64(reg.Map(t)["id"].(float64))
		persona := int64(reg.Map(t)["persona"].(map[string]any)["id"].(float64))
		login := func(pass string, want int) *testkit.Response {
			return do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": email, "password": pass}}, want)
		}
		login(wrong, 401)
		a1, r1 := tokens(login(pass1, 201))
		do(testkit.Request{Method: "GET", Path: "/auth/me", Token: a1}, 200)
		_, r2 := tokens(do(testkit.Request{Method: "POST", Path: "/auth/refresh_token", Body: map[string]string{"refresh_token": r1}}, 201))
		_, r3 := tokens(do(testkit.Request{Method: "POST", Path: "/auth/refresh_token", Token: r2}, 201))
		do(testkit.Request{Method: "POST", Path: "/auth/refresh_token", Body: map[string]string{"refresh_token": r1}}, 401) // re-use
		do(testkit.Request{Method: "POST", Path: "/auth/refresh", Cookies: []*http.Cookie{{Name: "refreshToken", Value: r3}}})
		a4, _ := tokens(login(pass1, 201))
		do(testkit.Request{Method: "PATCH", Path: fmt.Sprintf("/usuario/%d", id), Token: a4, Body: map[string]string{"password": pass2, "currentPassword": pass1}}, 200)
		do(testkit.Request{Method: "PUT", Path: "/persona", Token: a4, Body: map[string]any{"id": persona, "nombres": "María"}}, 200)
		a5, _ := tokens(login(pass2, 201))
		do(testkit.Request{Method: "GET", Path: fmt.Sprintf("/usuario/%d", id), Token: a5}, 200)
		do(testkit.Request{Method: "GET", Path: "/auth/me", Cookies: []*http.Cookie{{Name: "accessToken", Value: a5}}}, 200)
		do(testkit.Request{Method: "POST", Path: "/auth/logout", Token: a5}, 200)
		do(testkit.Request{Method: "GET", Path: "/auth/me", Token: a5}, 401)
		adminA, _ := tokens(do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": "admin@kantuta.local", "password": adminPass}}, 201))
		do(testkit.Request{Method: "GET", Path: "/usuario", Token: adminA}, 200)
		do(testkit.Request{Method: "GET", Path: "/persona", Token: adminA}, 200)
		do(testkit.Request{Method: "DELETE", Path: fmt.Sprintf("/usuario/%d", id), Token: adminA}, 200)
		login(pass2, 403)

		// An operator: created with a PIN, a wrong and a right PIN login
		// (tokens in cookies), its profile by cookie.
		pin, wrongPin, opName := "739146", "739147", "log-scan-op-"+randomHex(2)
		secrets[pin], secrets[wrongPin] = "PIN", "wrong PIN"
		do(testkit.Request{Method: "POST", Path: "/users", Token: adminA, Body: map[string]string{"name": opName, "pin": pin}}, 201)
		do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"name": opName, "pin": wrongPin}}, 401)
		pinLogin := do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"name": opName, "pin": pin}}, 200)
		var cookies []*http.Cookie
		for _, c := range (&http.Response{Header: pinLogin.Header}).Cookies() {
			secrets[c.Value] = "operator " + c.Name
			cookies = append(cookies, &http.Cookie{Name: c.Name, Value: c.Value})
		}
		do(testkit.Request{Method: "GET", Path: "/users/me", Cookies: cookies}, 200)

		// The password reset of the admin: the code goes to the console
		// mail sink (app.Console), never to the log.
		do(testkit.Request{Method: "POST", Path: "/auth/reset/code", Body: map[string]string{"email": "admin@kantuta.local"}}, 201)
		code := waitResetCode(t, app)
		secrets[code] = "reset code"
		do(testkit.Request{Method: "POST", Path: "/auth/confirm-code", Body: map[string]string{"email": "admin@kantuta.local", "code": "ZZZZZZ"}}, 401)
		confirmed := do(testkit.Request{Method: "POST", Path: "/auth/confirm-code", Body: map[string]string{"email": "admin@kantuta.local", "code": code}}, 201)
		resetToken, _ := confirmed.Map(t)["reset_token"].(string)
		pass3 := "TerceraClave789#"
		secrets[resetToken], secrets[pass3] = "reset token", "password"
		do(testkit.Request{Method: "POST", Path: "/auth/reset-confirm", Body: map[string]string{"email": "admin@kantuta.local", "newPassword": pass3, "reset_token": resetToken}}, 201)
		tokens(do(testkit.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": "admin@kantuta.local", "password": pass3}}, 201))

		var hashes []string
		if err := db.Raw("SELECT password FROM usuario UNION ALL SELECT pin_hash FROM operador").Scan(&hashes).Error; err != nil {
			t.Fatal(err)
		}
		for _, h := range hashes {
			secrets[h] = "bcrypt hash"
		}
		delete(secrets, "")
		logs := app.Logs.String()
		found := 0
		for s, what := range secrets {
			if strings.Contains(logs, s) && (what != "reset code" || resetCodeIn(logs, s)) {
				found++
				t.Errorf("the log holds a %s", what)
			}
		}
		for _, p := range []*regexp.Regexp{jwtPattern, bcryptPattern} {
			if m := p.FindString(logs); m != "" {
				found++
				t.Errorf("the log holds something like a secret: %.20s…", m)
			}
		}
		inAnswers := 0
		for _, res := range answers {
			if bcryptPattern.Match(res.Body) {
				inAnswers++
				t.Errorf("an answer holds a bcrypt hash: %.200s", res.Body)
			}
			for _, p := range []string{pass1, pass2, pass3, wrong, adminPass, pin, wrongPin, code} {
				if strings.Contains(string(res.Body), p) {
					inAnswers++
					t.Errorf("an answer holds a password: %.200s", res.Body)
				}
			}
		}
		lines := strings.Count(logs, "\n")
		figure(t, "log scan %s: %d requests (identity session, PIN login, password reset), %d log lines (debug), %d secrets looked for (passwords, PINs, reset code and token, %d hashes, tokens) → %d found in the log, %d in answers; the reset code reached the console mail sink only",
			db.Dialect, len(answers), lines, len(secrets), len(hashes), found, inAnswers)
	})
}

// resetCodePattern finds the code in the reset mail's text.
var resetCodePattern = regexp.MustCompile(`Tu código de verificación es: ([` + login.ResetCodeAlphabet + `]{6})`)

// waitResetCode waits for the console mail sink to print the reset mail
// and returns its code.
func waitResetCode(t *testing.T, app *testkit.App) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := resetCodePattern.FindStringSubmatch(app.Console.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no reset code in the console mail sink: %s", tail(app.Console.String(), 1000))
	return ""
}

// resetCodeIn reports whether the 6-character code stands alone in the log
// (not as a piece of a longer word, such as a request id).
func resetCodeIn(logs, code string) bool {
	return regexp.MustCompile(`(^|[^A-Za-z0-9])` + code + `($|[^A-Za-z0-9])`).MatchString(logs)
}
