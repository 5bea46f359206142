package reliability

// The holes of issue 14 that do not touch internal/auth, each probed the way
// the attacker did, on SQLite and on PostgreSQL.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// productionEnv is a configuration production accepts, mail to a local
// SMTP sink (loopback, so SMTP_TLS=none is allowed).
func productionEnv(t *testing.T, extra map[string]string) map[string]string {
	t.Helper()
	env := testkit.NewSMTPSink(t).Env()
	env["KANTUTA_ENV"] = "production"
	env["CORS_ORIGINS"] = "https://pos.kantuta.test"
	env["METRICS_TOKEN"] = "metrics-token-0123456789abcdef"
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func countRows(t *testing.T, db *database.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func nestMessage(t *testing.T, res *testkit.Response) string {
	t.Helper()
	if msg := checkShape("nest", res); msg != "" {
		t.Fatalf("not a Nest error (%s): %s", msg, res)
	}
	return fmt.Sprint(res.Map(t)["message"])
}

// Item 2: POST /mail sends as the shop: admins and líderes only, each
// limited per account; display names that would restructure the To:
// header are refused.
func TestMailIsForStaffOnly(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db, map[string]string{"MAIL_RATE_LIMIT": "3/h"})
		adminTok, liderTok, userTok := app.Token(role.Admin), app.Token(role.Lider), app.Token(role.User)
		_, opTok := newOperator(t, app, adminTok, "correo-op-"+randomHex(2))
		body := map[string]any{"email": "cliente@kantuta.test", "subject": "Su pedido", "message": "Listo para recoger", "name": "Tienda"}
		before := countRows(t, db, "SELECT count(*) FROM mail_outbox WHERE kind = 'message'")

		for _, c := range []struct{ who, tok string }{{"cashier", userTok}, {"operator", opTok}} {
			res := app.Post("/mail", c.tok, body)
			if res.Status != http.StatusForbidden || nestMessage(t, res) != "Forbidden resource" {
				t.Fatalf("%s: %s", c.who, res)
			}
		}
		if res := app.Post("/mail", "", body); res.Status != http.StatusUnauthorized {
			t.Fatalf("anonymous: %s", res)
		}
		accepted, limited, retryAfter := 0, 0, ""
		for i := 0; i < 5; i++ {
			res := app.Post("/mail", adminTok, body)
			switch res.Status {
			case http.StatusAccepted:
				accepted++
			case http.StatusTooManyRequests:
				limited++
				retryAfter = res.Header.Get("Retry-After")
				nestMessage(t, res)
			default:
				t.Fatalf("admin mail %d: %s", i, res)
			}
		}
		secs, _ := strconv.Atoi(retryAfter)
		if accepted != 3 || limited != 2 || secs <= 0 || secs > 3600 {
			t.Fatalf("admin: %d accepted, %d × 429, Retry-After %q", accepted, limited, retryAfter)
		}
		// The limit is per account: a líder still has all of theirs.
		if res := app.Post("/mail", liderTok, body); res.Status != http.StatusAccepted {
			t.Fatalf("lider after the admin's limit: %s", res)
		}
		refusedNames := 0
		for _, name := range []string{`Banco "Seguro"`, "Soporte <soporte@banco.test>", "soporte@banco.test", "Ana, victima@x.test", `Ana\`} {
			b := map[string]any{"email": "cliente@kantuta.test", "subject": "x", "message": "y", "name": name}
			res := app.Post("/mail", app.Token(role.Lider), b) // a fresh líder: refused attempts count too
			if res.Status != http.StatusBadRequest || !strings.Contains(nestMessage(t, res), "name no debe contener comillas, <, >, @, comas ni barras invertidas") {
				t.Fatalf("display name %q: %s", name, res)
			}
			refusedNames++
		}
		queued := countRows(t, db, "SELECT count(*) FROM mail_outbox WHERE kind = 'message'") - before
		if queued != 4 {
			t.Fatalf("%d mails queued, want 4 (3 admin + 1 lider)", queued)
		}
		figure(t, "mail %s: cashier 403, operator 403, anonymous 401; admin 5 sends with MAIL_RATE_LIMIT=3/h: %d × 202, %d × 429 (Retry-After %ss); lider after that 202; %d bad display names × 400; %d rows queued",
			db.Dialect, accepted, limited, retryAfter, refusedNames, queued)
	})
}

// Item 3: production closes registration unless told otherwise, and says so
// when told.
func TestProductionRegistrationClosedByDefault(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		email := "extrano-" + randomHex(3) + "@kantuta.test"
		app := testkit.NewApp(t, db, productionEnv(t, nil))
		if res := app.Post("/usuario/register", "", registerBody(email)); res.Status != http.StatusUnauthorized {
			t.Fatalf("production registration without a token: %s", res)
		}
		if n := countRows(t, db, "SELECT count(*) FROM usuario WHERE email = ?", email); n != 0 {
			t.Fatalf("%d usuarios registered", n)
		}
		if strings.Contains(app.Logs.String(), "REGISTRATION_OPEN") {
			t.Fatal("a warning without REGISTRATION_OPEN=true")
		}
		if res := app.Post("/usuario/register", app.Token(role.Admin), registerBody(email)); res.Status != http.StatusCreated {
			t.Fatalf("production registration by an admin: %s", res)
		}

		open := testkit.NewApp(t, db, productionEnv(t, map[string]string{"REGISTRATION_OPEN": "true"}))
		if !strings.Contains(open.Logs.String(), `"level":"WARN","msg":"unsafe configuration: REGISTRATION_OPEN=true in production`) {
			t.Fatalf("no start-up warning for REGISTRATION_OPEN=true: %s", open.Logs.String())
		}
		if res := open.Post("/usuario/register", "", registerBody("x"+email)); res.Status != http.StatusCreated {
			t.Fatalf("explicitly open registration: %s", res)
		}
		figure(t, "registration %s: production default → anonymous 401, 0 rows, admin 201; REGISTRATION_OPEN=true → warning logged, anonymous 201", db.Dialect)
	})
}

// Item 6: a write authenticated by cookie from a foreign page is refused;
// bearer requests and requests without Origin/Referer are not affected.
func TestCrossSiteCookieWrites(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		allowed := "https://pos.kantuta.test"
		app := testkit.NewApp(t, db, map[string]string{"CORS_ORIGINS": allowed + ",https://*.sucursal.test"})
		admin, adminTok := app.NewUsuario(role.Admin)
		pin, name := "482615", "cookie-admin-"+randomHex(2)
		res := app.Post("/users", adminTok, map[string]string{"name": name, "pin": pin, "role": adminRoleUUID(t, app)})
		if res.Status != http.StatusCreated {
			t.Fatalf("create operator: %s", res)
		}
		login := app.Post("/auth/login", "", map[string]string{"name": name, "pin": pin})
		if login.Status != http.StatusOK {
			t.Fatalf("PIN login: %s", login)
		}
		opCookies := (&http.Response{Header: login.Header}).Cookies()
		usuarioCookie := []*http.Cookie{{Name: "accessToken", Value: adminTok}}
		self, _ := url.Parse(app.URL)

		victims := 0
		victim := func() string {
			victims++
			id, _ := newOperator(t, app, adminTok, fmt.Sprintf("victima-%d-%s", victims, randomHex(2)))
			return id
		}
		alive := func(id string) bool {
			return countRows(t, db, "SELECT count(*) FROM operador WHERE id = ? AND deleted_at IS NULL", id) == 1
		}
		var refused, passed int
		cases := []struct {
			name    string
			header  map[string]string
			cookies []*http.Cookie
			bearer  bool
			want    int
		}{
			{"cookie, foreign Origin", map[string]string{"Origin": "https://evil.test"}, opCookies, false, 403},
			{"cookie, foreign Referer", map[string]string{"Referer": "https://evil.test/phish.html"}, opCookies, false, 403},
			{"cookie, Origin null", map[string]string{"Origin": "null"}, opCookies, false, 403},
			{"cookie, look-alike Origin", map[string]string{"Origin": "https://pos.kantuta.test.evil.test"}, opCookies, false, 403},
			{"cookie, own origin", map[string]string{"Origin": "http://" + self.Host}, opCookies, false, 204},
			{"cookie, own Referer", map[string]string{"Referer": app.URL + "/app/"}, opCookies, false, 204},
			{"cookie, listed origin", map[string]string{"Origin": allowed}, opCookies, false, 204},
			{"cookie, listed subdomain pattern", map[string]string{"Origin": "https://caja1.sucursal.test"}, opCookies, false, 204},
			{"cookie, no Origin or Referer (curl)", nil, opCookies, false, 204},
			{"bearer, foreign Origin", map[string]string{"Origin": "https://evil.test"}, nil, true, 204},
		}
		for _, tc := range cases {
			id := victim()
			req := testkit.Request{Method: http.MethodDelete, Path: "/users/" + id, Header: tc.header, Cookies: tc.cookies}
			if tc.bearer {
				req.Token = adminTok
			}
			res := app.Do(req)
			if res.Status != tc.want {
				t.Fatalf("%s: %s", tc.name, res)
			}
			if tc.want == 403 {
				refused++
				if msg := checkShape("plain", res); msg != "" || !alive(id) {
					t.Fatalf("%s: %s (shape %q), operator alive %v", tc.name, res, msg, alive(id))
				}
			} else {
				passed++
				if alive(id) {
					t.Fatalf("%s: answered %d but the operator is still there", tc.name, res.Status)
				}
			}
		}

		// The Nest family, with a usuario's token in the cookie.
		path := fmt.Sprintf("/usuario/%d", admin.ID)
		res = app.Do(testkit.Request{Method: http.MethodPatch, Path: path, Body: map[string]string{"name": "hackeado"},
			Cookies: usuarioCookie, Header: map[string]string{"Origin": "https://evil.test"}})
		if res.Status != http.StatusForbidden || !strings.Contains(nestMessage(t, res), "Origen no permitido") {
			t.Fatalf("cookie PATCH from a foreign origin: %s", res)
		}
		refused++
		if n := countRows(t, db, "SELECT count(*) FROM usuario WHERE id = ? AND name = 'hackeado'", admin.ID); n != 0 {
			t.Fatal("the foreign PATCH changed the usuario")
		}
		// Reads are not state-changing: a foreign GET by cookie is CORS's business.
		if res := app.Do(testkit.Request{Method: http.MethodGet, Path: "/users/me", Cookies: opCookies,
			Header: map[string]string{"Origin": "https://evil.test"}}); res.Status != http.StatusOK {
			t.Fatalf("cookie GET from a foreign origin: %s", res)
		}
		// The refresh cookie is a credential too.
		var refreshCookie []*http.Cookie
		for _, c := range opCookies {
			if c.Name == "refreshToken" {
				refreshCookie = append(refreshCookie, c)
			}
		}
		res = app.Do(testkit.Request{Method: http.MethodPost, Path: "/auth/refresh", Cookies: refreshCookie,
			Header: map[string]string{"Origin": "https://evil.test"}})
		if res.Status != http.StatusForbidden {
			t.Fatalf("refresh cookie from a foreign origin: %s", res)
		}
		refused++
		if res := app.Do(testkit.Request{Method: http.MethodPost, Path: "/auth/refresh", Cookies: refreshCookie,
			Header: map[string]string{"Origin": allowed}}); res.Status != http.StatusOK {
			t.Fatalf("refresh cookie from the listed origin: %s", res)
		}
		passed++
		figure(t, "cross-site cookie writes %s: %d refused with 403 (foreign Origin, foreign Referer, null, look-alike, Nest PATCH, refresh cookie), tables unchanged; %d let through (own origin and Referer, listed origin and pattern, no Origin/Referer, bearer, refresh from the listed origin)",
			db.Dialect, refused, passed)
	})
}

// adminRoleUUID is the uuid of role 1, as /users takes roles.
func adminRoleUUID(t *testing.T, app *testkit.App) string {
	t.Helper()
	r, err := app.Roles.ByID(t.Context(), role.Admin)
	if err != nil {
		t.Fatal(err)
	}
	return r.UUID
}

// Item 7: COOKIE_SECURE makes the session cookies Secure even when the
// request looks like plain HTTP (a TLS proxy outside TRUSTED_PROXIES).
func TestCookieSecure(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		secureCookies := func(app *testkit.App) (set, secure int) {
			adminTok := app.Token(role.Admin)
			name := "secure-op-" + randomHex(3)
			if res := app.Post("/users", adminTok, map[string]string{"name": name, "pin": "918273", "role": adminRoleUUID(t, app)}); res.Status != http.StatusCreated {
				t.Fatalf("create operator: %s", res)
			}
			login := app.Post("/auth/login", "", map[string]string{"name": name, "pin": "918273"})
			if login.Status != http.StatusOK {
				t.Fatalf("PIN login: %s", login)
			}
			cookies := (&http.Response{Header: login.Header}).Cookies()
			logout := app.Do(testkit.Request{Method: http.MethodPost, Path: "/auth/logout", Cookies: cookies})
			if logout.Status != http.StatusOK {
				t.Fatalf("logout: %s", logout)
			}
			for _, c := range append(cookies, (&http.Response{Header: logout.Header}).Cookies()...) {
				set++
				if c.Secure {
					secure++
				}
			}
			return set, secure
		}
		on := testkit.NewApp(t, db, map[string]string{"COOKIE_SECURE": "true"})
		setOn, secureOn := secureCookies(on)
		if setOn != 4 || secureOn != 4 {
			t.Fatalf("COOKIE_SECURE=true: %d of %d cookies Secure", secureOn, setOn)
		}
		off := testkit.NewApp(t, db) // development default: Secure only over TLS
		setOff, secureOff := secureCookies(off)
		if setOff != 4 || secureOff != 0 {
			t.Fatalf("COOKIE_SECURE unset in development over plain HTTP: %d of %d cookies Secure", secureOff, setOff)
		}
		prod := testkit.NewApp(t, db, productionEnv(t, nil))
		setProd, secureProd := secureCookies(prod)
		if setProd != 4 || secureProd != 4 || strings.Contains(prod.Logs.String(), "COOKIE_SECURE") {
			t.Fatalf("production default: %d of %d cookies Secure", secureProd, setProd)
		}
		warned := testkit.NewApp(t, db, productionEnv(t, map[string]string{"COOKIE_SECURE": "false"}))
		if !strings.Contains(warned.Logs.String(), "unsafe configuration: COOKIE_SECURE=false in production and TRUSTED_PROXIES is empty") {
			t.Fatalf("no warning for insecure production cookies: %s", warned.Logs.String())
		}
		figure(t, "cookies %s over plain HTTP: COOKIE_SECURE=true %d/%d Secure (login and logout), development default %d/%d, production default %d/%d; production COOKIE_SECURE=false without TRUSTED_PROXIES → start-up warning",
			db.Dialect, secureOn, setOn, secureOff, setOff, secureProd, setProd)
	})
}

// Item 8: an e-mail whose local part is longer than the name column.
func TestRegistrationWithLongLocalPart(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		var got []string
		for _, local := range []string{
			strings.Repeat("a", 101) + randomHex(2),
			strings.Repeat("b", 130) + randomHex(2),
		} {
			email := local + "@kantuta.test"
			body := map[string]any{"email": email, "password": "ClaveFuerte123!", "nombres": "Largo", "p_apellido": "Correo",
				"fecha_nacimiento": "1990-01-01", "genero": "O"}
			res := app.Post("/usuario/register", "", body)
			if res.Status != http.StatusCreated {
				t.Fatalf("local part of %d characters: %s", len(local), res)
			}
			var name string
			if err := db.Raw("SELECT name FROM usuario WHERE email = ?", email).Scan(&name).Error; err != nil {
				t.Fatal(err)
			}
			if name != local[:100] || res.Map(t)["name"] != name {
				t.Fatalf("name %q (%d), want the first 100 characters of the local part", name, len(name))
			}
			got = append(got, fmt.Sprintf("%d→%d", len(local), utf8.RuneCountInString(name)))
		}
		figure(t, "long local part %s: registrations 201, default name cut (characters) %s", db.Dialect, strings.Join(got, ", "))
	})
}

// Item 10: out-of-range page and limit on every list are a 400, never a
// wrapped-around first page.
func TestOutOfRangePages(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		adminTok := app.Token(role.Admin)
		cases := []struct {
			path, family string
			status       int
		}{
			{"/usuario?page=9223372036854775807", "nest", 400},
			{"/usuario?page=9223372036854775808", "nest", 400},
			{"/usuario?page=1000001", "nest", 400},
			{"/usuario?page=4611686018427387904&limit=2", "nest", 400},
			{"/usuario?page=0", "nest", 400},
			{"/usuario?page=-1", "nest", 400},
			{"/usuario?page=1e3", "nest", 400},
			{"/usuario?limit=0", "nest", 400},
			{"/usuario?limit=501", "nest", 400},
			{"/usuario?limit=99999999999999999999", "nest", 400},
			{"/usuario?page=1000000&limit=500", "", 200},
			{"/api/pos/clientes?page=9223372036854775807", "clientes", 400},
			{"/api/pos/clientes?page=2147483648", "clientes", 400},
			{"/api/pos/clientes?page=0", "clientes", 400},
			{"/api/pos/clientes?page=2147483647", "", 200},
		}
		for _, tc := range cases {
			res := app.Get(tc.path, adminTok)
			if res.Status != tc.status {
				t.Fatalf("%s: %s", tc.path, res)
			}
			if tc.status == 200 {
				if data, _ := res.Map(t)["data"].([]any); len(data) != 0 {
					t.Fatalf("%s: a page past the end has %d rows", tc.path, len(data))
				}
				continue
			}
			if msg := checkShape(tc.family, res); msg != "" {
				t.Fatalf("%s: %s: %s", tc.path, msg, res)
			}
		}
		figure(t, "pages %s: %d out-of-range page/limit values → 400 in the family's shape; the last valid pages → 200 with no rows", db.Dialect, len(cases)-2)
	})
}

// Item 11: a client that writes its whole oversized body before reading
// gets the 413, not a reset connection.
func TestOversizedBodyWrittenBeforeReading(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		u, _ := url.Parse(app.URL)
		body := []byte(`{"nombres":"` + strings.Repeat("A", 2<<20) + `"}`)
		send := func(chunked bool) (status string, err error) {
			conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
			if err != nil {
				return "", err
			}
			defer conn.Close()
			// A small send buffer, as over a real network: the body cannot
			// all sit in the kernel before the server answers.
			_ = conn.(*net.TCPConn).SetWriteBuffer(16 << 10)
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			head := "POST /persona HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/json\r\n"
			if chunked {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			} else {
				head += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
			}
			w := bufio.NewWriterSize(conn, 64<<10)
			if _, err := w.WriteString(head); err != nil {
				return "", err
			}
			if chunked {
				for off := 0; off < len(body); off += 32 << 10 {
					end := min(off+32<<10, len(body))
					fmt.Fprintf(w, "%x\r\n", end-off)
					w.Write(body[off:end])
					w.WriteString("\r\n")
				}
				w.WriteString("0\r\n\r\n")
			} else {
				for off := 0; off < len(body); off += 32 << 10 {
					w.Write(body[off:min(off+32<<10, len(body))])
				}
			}
			if err := w.Flush(); err != nil {
				return "", fmt.Errorf("write: %w", err)
			}
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				return "", fmt.Errorf("read: %w", err)
			}
			return strings.TrimSpace(line), nil
		}
		for _, chunked := range []bool{false, true} {
			ok, failures := 0, []string{}
			for i := 0; i < 10; i++ {
				status, err := send(chunked)
				if err == nil && strings.HasPrefix(status, "HTTP/1.1 413") {
					ok++
					continue
				}
				failures = append(failures, fmt.Sprintf("%q %v", status, err))
			}
			if ok != 10 {
				t.Errorf("chunked=%v: %d of 10 got the 413: %v", chunked, ok, failures)
			}
			kind := "Content-Length"
			if chunked {
				kind = "chunked"
			}
			figure(t, "oversized body %s (%s, 2 MiB written before reading): %d of 10 read the 413, %d broken pipes or resets", db.Dialect, kind, ok, len(failures))
		}
	})
}

// Item 12: METRICS_TOKEN puts /metrics behind a bearer token; METRICS_ADDR
// takes it off the API's address.
func TestMetricsProtected(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		token := "metrics-token-0123456789abcdef"
		app := testkit.NewApp(t, db, productionEnv(t, map[string]string{"METRICS_TOKEN": token}))
		for _, c := range []struct{ name, tok string }{{"no token", ""}, {"wrong token", token + "x"}, {"a user's token", app.Token(role.Admin)}} {
			res := app.Get("/metrics", c.tok)
			if res.Status != http.StatusUnauthorized || checkShape("nest", res) != "" || strings.Contains(string(res.Body), "kantuta_") {
				t.Fatalf("/metrics with %s: %s", c.name, res)
			}
		}
		res := app.Get("/metrics", token)
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "kantuta_http_requests_total") {
			t.Fatalf("/metrics with the token: %d %.200s", res.Status, res.Body)
		}
		own := testkit.NewApp(t, db, map[string]string{"METRICS_ADDR": "127.0.0.1:0"})
		if res := own.Get("/metrics", ""); res.Status != http.StatusNotFound {
			t.Fatalf("/metrics on the API's address with METRICS_ADDR set: %s", res)
		}
		rec := httpRecorder(t, own.MetricsHandler())
		if rec.status != http.StatusOK || !strings.Contains(rec.body, "kantuta_") {
			t.Fatalf("the metrics handler for METRICS_ADDR: %d", rec.status)
		}
		figure(t, "metrics %s: METRICS_TOKEN → 401 without, with a wrong and with a user's token, 200 with it; METRICS_ADDR → 404 on the API's address", db.Dialect)
	})
}

type recorded struct {
	status int
	body   string
}

func httpRecorder(t *testing.T, h http.Handler) recorded {
	t.Helper()
	srv := &http.Server{Handler: h}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	res, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return recorded{res.StatusCode, string(b)}
}

// portInRange is a free loopback address in this branch's port range
// (38500–38549).
func portInRange(t *testing.T, skip ...string) string {
	t.Helper()
	for p := 38500; p <= 38549; p++ {
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		if slices.Contains(skip, addr) {
			continue
		}
		if ln, err := net.Listen("tcp", addr); err == nil {
			ln.Close()
			return addr
		}
	}
	t.Skip("no free port in 38500–38549")
	return ""
}

// Item 12 on the built binary: in production /metrics is served on
// METRICS_ADDR only, and the server refuses to start with /metrics public
// or with SMTP in clear to another host.
func TestProductionMetricsAndSMTPBinary(t *testing.T) {
	skipSlow(t)
	base := func() map[string]string {
		env := serverEnv("sqlite:kantuta.db")
		env["KANTUTA_ENV"] = "production"
		env["CORS_ORIGINS"] = "https://pos.kantuta.test"
		env["SMTP_HOST"] = "127.0.0.1"
		env["SMTP_PORT"] = "1"
		env["SMTP_TLS"] = "none"
		return env
	}
	refusals := 0
	for _, c := range []struct {
		name  string
		extra map[string]string
		want  string
	}{
		{"neither METRICS_ADDR nor METRICS_TOKEN", nil, "METRICS_ADDR or METRICS_TOKEN must be set in production"},
		{"SMTP_TLS=none to another host", map[string]string{"METRICS_TOKEN": "metrics-token-0123456789abcdef", "SMTP_HOST": "smtp.example.com"}, "SMTP_TLS none is allowed in production only with a loopback SMTP_HOST"},
		{"CORS null", map[string]string{"METRICS_TOKEN": "metrics-token-0123456789abcdef", "CORS_ORIGINS": "null"}, "CORS_ORIGINS"},
		{"CORS https://*", map[string]string{"METRICS_TOKEN": "metrics-token-0123456789abcdef", "CORS_ORIGINS": "https://*"}, "CORS_ORIGINS"},
	} {
		env := base()
		for k, v := range c.extra {
			env[k] = v
		}
		out, code := runRefused(t, env)
		if code == 0 || !strings.Contains(out, c.want) {
			t.Fatalf("%s: exit %d, output %q", c.name, code, out)
		}
		refusals++
	}

	env := base()
	metricsAddr := portInRange(t)
	env["METRICS_ADDR"] = metricsAddr
	p := startServer(t, env)
	res, err := http.Get(p.BaseURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the API's address: %d", res.StatusCode)
	}
	res, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "kantuta_http_requests_total") {
		t.Fatalf("/metrics on METRICS_ADDR: %d", res.StatusCode)
	}
	figure(t, "production binary: %d unsafe configurations refused at start (public /metrics, SMTP_TLS=none to a remote host, CORS null, CORS https://*); with METRICS_ADDR=%s /metrics → 404 on the API, 200 on its own listener", refusals, metricsAddr)
}

// runRefused runs `kantuta serve` with env and returns its output and exit
// code; it must stop by itself (a refused configuration).
func runRefused(t *testing.T, env map[string]string) (string, int) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(kantutaBinary(t), "serve")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "KANTUTA_ADDR=" + portInRange(t), "KANTUTA_DATA_DIR=" + filepath.Join(dir, "data")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	done := make(chan struct{})
	var out []byte
	var err error
	go func() {
		out, err = cmd.CombinedOutput()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("kantuta started with an unsafe configuration: %s", out)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return string(out), code
}
