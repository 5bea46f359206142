package reliability

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kantuta/kantuta/internal/auth"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/httpapi"
	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/server"
	"github.com/kantuta/kantuta/internal/testkit"
)

// The corpus file; its "about" says how it is read.
type corpus struct {
	Routes []struct {
		Method, Path, Auth, Shape string
		Writes, Secrets           []string
		Valid                     map[string]any
		NoEcho                    bool // the answer does not carry the body's fields
	}
	Bodies []struct {
		Name, Raw, Gen, B64 string
		N                   int
	}
	Values []struct {
		Name   string
		Value  any
		Fields []string
		Except []string // fields the value is not tried on
		Refuse bool
		Stored bool
	}
	Requests []struct {
		Name, Method, Path, Auth, Shape, Note string
		Headers                               map[string]string
		Body                                  any
		Status                                []int
		Writes                                []string
	}
}

// hostileCase is one request of the expanded corpus.
type hostileCase struct {
	name, method, path, auth string
	headers                  map[string]string
	body                     []byte // nil: no body
	status                   []int  // empty: any below 500 (4xx when refuse)
	refuse                   bool   // must be answered 4xx
	writes                   []string
	shape                    string // "" → the path's family; "message" → {"message"}
	echo                     string // when accepted, the answer must hold this string verbatim
	secret                   string // never in the answer
}

func loadCorpus(t *testing.T) []hostileCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/hostile.json")
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // huge and overlong numbers are sent exactly as written
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("hostile.json: %v", err)
	}
	var out []hostileCase
	for _, r := range c.Routes {
		for _, b := range c.Bodies {
			out = append(out, hostileCase{name: r.Method + " " + r.Path + ": " + b.Name, method: r.Method, path: r.Path,
				auth: r.Auth, body: generateBody(t, b.Raw, b.Gen, b.B64, b.N), refuse: true, writes: r.Writes, shape: r.Shape})
		}
		fields := make([]string, 0, len(r.Valid))
		for f := range r.Valid {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			for _, v := range c.Values {
				if len(v.Fields) > 0 && !slices.Contains(v.Fields, f) || slices.Contains(v.Except, f) {
					continue
				}
				body := map[string]any{}
				for k, x := range r.Valid {
					body[k] = x
				}
				body[f] = v.Value
				refuse := v.Refuse || (v.Value != nil && jsonKind(v.Value) != jsonKind(r.Valid[f]))
				hc := hostileCase{name: fmt.Sprintf("%s %s: %s = %s", r.Method, r.Path, f, v.Name), method: r.Method,
					path: r.Path, auth: r.Auth, body: mustJSON(t, body), refuse: refuse, writes: r.Writes, shape: r.Shape}
				if s, ok := v.Value.(string); ok && v.Stored && !r.NoEcho && !slices.Contains(r.Secrets, f) {
					hc.echo = s
				}
				if s, ok := v.Value.(string); ok && slices.Contains(r.Secrets, f) {
					hc.secret = s
				}
				out = append(out, hc)
			}
		}
	}
	for _, r := range c.Requests {
		hc := hostileCase{name: r.Name, method: r.Method, path: r.Path, auth: r.Auth, headers: r.Headers,
			status: r.Status, writes: r.Writes, shape: r.Shape}
		switch b := r.Body.(type) {
		case nil:
		case string:
			hc.body = []byte(b)
		default:
			hc.body = mustJSON(t, b)
		}
		out = append(out, hc)
	}
	return out
}

func generateBody(t *testing.T, raw, gen, b64 string, n int) []byte {
	t.Helper()
	switch {
	case b64 != "":
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatalf("b64 %q: %v", b64, err)
		}
		return b
	case gen == "nest-array":
		return []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
	case gen == "nest-object":
		return []byte(strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n))
	case gen == "big-string":
		return []byte(`{"nombres":"` + strings.Repeat("A", n) + `"}`)
	case gen == "many-keys":
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"k%d":%d`, i, i)
		}
		b.WriteString("}")
		return []byte(b.String())
	case gen != "":
		t.Fatalf("unknown generator %q", gen)
	}
	return []byte(raw)
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64, int:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	case []any:
		return "array"
	}
	return "object"
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expand replaces the placeholders (see the corpus's "about") and
// $repeat:<char>:<count><suffix> (the rest of the string after the count).
// No placeholder may be a prefix of another.
func expand(s string, vars map[string]string) string {
	if i := strings.Index(s, "$repeat:"); i >= 0 {
		rest := s[i+len("$repeat:"):]
		r, size := utf8.DecodeRuneInString(rest)
		rest = rest[size+1:] // the rune and the colon
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(rest[:j])
		s = s[:i] + strings.Repeat(string(r), n) + rest[j:]
	}
	for k, v := range vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// TestHostileCorpus sends every request of testdata/hostile.json to the
// application on SQLite and on PostgreSQL: no answer may be a 5xx, every
// error comes in its family's shape without internals, and a refused
// request leaves every table as it was.
func TestHostileCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 200 {
		t.Fatalf("the corpus has %d requests, want at least 200", len(cases))
	}
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)
		user, userTok := app.NewUsuario(role.User)
		victim, _ := app.NewUsuario(role.User)
		adminTok := app.Token(role.Admin)
		refresh, err := app.Issuer.Refresh(auth.Subject{Kind: auth.KindUsuario, ID: fmt.Sprint(user.ID), Username: user.Email, RoleID: role.User})
		if err != nil {
			t.Fatal(err)
		}
		// Two operators (one the PUT matrix renames, one whose token and
		// name stay) and two customers (one the PUT matrix changes, one
		// whose RUC stays taken).
		victimOp, _ := newOperator(t, app, adminTok, "hostil-victima-"+randomHex(2))
		stayName := "hostil-cajero-" + randomHex(2)
		_, opTok := newOperator(t, app, adminTok, stayName)
		victimCli := newCliente(t, app, adminTok, "1712345678")
		newCliente(t, app, adminTok, "0912345678")
		tokens := map[string]string{
			"admin": adminTok, "lider": app.Token(role.Lider), "user": userTok, "garbage": "not.a.token",
			"operator": opTok, "refresh": refresh.Token,
		}
		catID, prodID := newProducto(t, app, adminTok)
		vars := map[string]string{
			"$producto": prodID, `"$idProducto"`: prodID, `"$idCategoria"`: catID,
			"$user": fmt.Sprint(user.ID), "$persona": fmt.Sprint(user.IDPersona), "$victim": fmt.Sprint(victim.ID),
			"$operador": victimOp, "$takenName": stayName, "$cashierRole": cashierRoleUUID(t, app),
			"$cliente": victimCli, "$takenRuc": "0912345678", "$tokAdmin": adminTok,
		}
		var (
			refused, accepted, failures int
			statuses                    = map[int]int{}
			before                      = fingerprint(t, db)
		)
		for i, hc := range cases {
			vars["$uniq"] = fmt.Sprintf("hostile-%d-%s", i, randomHex(2))
			vars["$ruc"] = fmt.Sprintf("17%08d", i)
			res, err := sendHostile(app, hc, tokens, vars)
			if err != nil {
				failures++
				t.Errorf("%s: %v", hc.name, err)
				continue
			}
			statuses[res.Status]++
			if msg := judge(hc, res); msg != "" {
				failures++
				t.Errorf("%s: %s: %d %s", hc.name, msg, res.Status, truncateBody(res.Body))
			}
			after := fingerprint(t, db)
			if res.Status >= 400 {
				refused++
				for table, fp := range before {
					// A failed login is counted by the lockout: that write is the point.
					loginFailure := table == "login_failure" && hc.path == "/auth/login"
					if after[table] != fp && !slices.Contains(hc.writes, table) && !loginFailure {
						failures++
						t.Errorf("%s: refused with %d but table %s changed: %s → %s", hc.name, res.Status, table, fp, after[table])
					}
				}
			} else {
				accepted++
				if hc.secret != "" && len(hc.secret) > 3 && holdsString(res.Body, hc.secret) {
					failures++
					t.Errorf("%s: the secret came back: %s", hc.name, truncateBody(res.Body))
				}
				if hc.echo != "" && !holdsString(res.Body, hc.echo) {
					failures++
					t.Errorf("%s: accepted but not stored verbatim: %s", hc.name, truncateBody(res.Body))
				}
			}
			before = after
		}
		codes := make([]int, 0, len(statuses))
		for c := range statuses {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var dist []string
		fiveXX := 0
		for _, c := range codes {
			dist = append(dist, fmt.Sprintf("%d×%d", statuses[c], c))
			if c >= 500 {
				fiveXX += statuses[c]
			}
		}
		figure(t, "hostile corpus %s: %d requests, %d × 5xx, %d refused (database unchanged), %d accepted as data, %d failures; statuses %s",
			db.Dialect, len(cases), fiveXX, refused, accepted, failures, strings.Join(dist, " "))
	})
}

// cashierRoleUUID is the uuid of role 3 (user), as /users takes roles.
func cashierRoleUUID(t *testing.T, app *testkit.App) string {
	t.Helper()
	r, err := app.Roles.ByID(context.Background(), role.User)
	if err != nil {
		t.Fatal(err)
	}
	return r.UUID
}

// newOperator creates a cashier operator through POST /users and returns
// its id and an access token of its own.
func newOperator(t *testing.T, app *testkit.App, adminTok, name string) (id, token string) {
	t.Helper()
	res := app.Post("/users", adminTok, map[string]string{"name": name, "pin": "246810", "role": cashierRoleUUID(t, app)})
	if res.Status != http.StatusCreated {
		t.Fatalf("create operator: %s", res)
	}
	id = res.Map(t)["id"].(string)
	tok, err := app.Issuer.Access(auth.Subject{Kind: auth.KindOperador, ID: id, Username: name, RoleID: role.User})
	if err != nil {
		t.Fatal(err)
	}
	return id, tok.Token
}

// newProducto creates a category and a product in it through the API and
// returns their ids.
func newProducto(t *testing.T, app *testkit.App, tok string) (categoria, producto string) {
	t.Helper()
	res := app.Post("/inventario/categorias", tok, map[string]any{"nombre": "Hostil " + randomHex(3)})
	if res.Status != http.StatusCreated {
		t.Fatalf("create categoria: %s", res)
	}
	categoria = fmt.Sprint(res.Map(t)["id"])
	res = app.Post("/inventario/producto", tok, map[string]any{"nombre": "Hostil " + randomHex(3), "precio_venta": 1, "costo_compra": 1,
		"stock_actual": 10, "stock_minimo": 1, "id_categoria": res.Map(t)["id"]})
	if res.Status != http.StatusCreated {
		t.Fatalf("create producto: %s", res)
	}
	return categoria, fmt.Sprint(res.Map(t)["id"])
}

// newCliente creates a customer through POST /api/pos/clientes and returns
// its code.
func newCliente(t *testing.T, app *testkit.App, tok, ruc string) string {
	t.Helper()
	res := app.Post("/api/pos/clientes", tok, map[string]string{
		"ct_codigo": "UIO001", "cli_nombre": "Cliente " + ruc, "cli_ruc_ced": ruc,
		"cli_telefono": "0991234567", "cli_mail": "c" + ruc + "@kantuta.ec",
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create cliente: %s", res)
	}
	return res.Map(t)["data"].(map[string]any)["cli_codigo"].(string)
}

func sendHostile(app *testkit.App, hc hostileCase, tokens, vars map[string]string) (*testkit.Response, error) {
	var body io.Reader
	if hc.body != nil {
		body = bytes.NewReader([]byte(expand(string(hc.body), vars)))
	}
	req, err := http.NewRequest(hc.method, app.URL+expand(hc.path, vars), body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if hc.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := tokens[hc.auth]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range hc.headers {
		req.Header.Set(k, expand(v, vars))
	}
	res, err := app.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &testkit.Response{Status: res.StatusCode, Header: res.Header, Body: raw}, nil
}

// leaks are texts no error answer may carry.
var leaks = []string{"sqlstate", "goroutine", "gorm", "pgconn", "pgx", "sqlite", "runtime error", "panic", ".go:", "$2a$", "$2b$"}

// judge returns what is wrong with the answer to hc, or "".
func judge(hc hostileCase, res *testkit.Response) string {
	switch {
	case res.Status >= 500:
		return "server error"
	case len(hc.status) > 0 && !slices.Contains(hc.status, res.Status):
		return fmt.Sprintf("status not in %v", hc.status)
	case hc.refuse && res.Status < 400:
		return "accepted, must be refused"
	case res.Status < 400:
		return ""
	}
	low := strings.ToLower(string(res.Body))
	for _, l := range leaks {
		if strings.Contains(low, l) {
			return "internals leaked (" + l + ")"
		}
	}
	req, _ := http.NewRequest(hc.method, "http://x"+expand(hc.path, map[string]string{}), nil)
	family := hc.shape
	if family == "" {
		family = familyOf(req)
	}
	return checkShape(family, res)
}

// familyOf names the error shape the server uses for a request: the
// server's own choice, so the two never disagree.
func familyOf(r *http.Request) string {
	if r == nil {
		return "nest"
	}
	switch server.RendererFor(r).(type) {
	case httpapi.ClientesRenderer:
		return "clientes"
	case httpapi.PlainRenderer:
		return "plain"
	}
	return "nest"
}

// checkShape returns what is wrong with an error answer in family's shape.
func checkShape(family string, res *testkit.Response) string {
	ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	var m map[string]any
	isJSON := ct == "application/json" && json.Unmarshal(res.Body, &m) == nil
	switch family {
	case "nest":
		if !isJSON {
			return "not a JSON object"
		}
		if m["statusCode"] != float64(res.Status) {
			return "statusCode differs from the status"
		}
		for _, k := range []string{"message", "error", "timestamp", "path"} {
			if m[k] == nil {
				return "Nest error without " + k
			}
		}
		switch msg := m["message"].(type) {
		case string:
			if msg == "" {
				return "empty message"
			}
		case []any:
			if len(msg) == 0 {
				return "empty message list"
			}
		default:
			return "message neither string nor list"
		}
	case "clientes":
		if !isJSON {
			return "not a JSON object"
		}
		if errs, ok := m["errors"].([]any); ok && len(errs) > 0 {
			return ""
		}
		if msg, ok := m["message"].(string); !ok || msg == "" {
			return `neither {"errors":[…]} nor {"message"}`
		}
	case "message":
		if !isJSON || m["message"] == nil {
			return `not {"message"}`
		}
	case "plain":
		if isJSON {
			if msg, ok := m["message"].(string); ok && msg != "" {
				return ""
			}
			return `JSON without "message"`
		}
		if ct != "text/plain" || len(bytes.TrimSpace(res.Body)) == 0 {
			return "not a text/plain message"
		}
	}
	return ""
}

// fingerprint is, per table, its row count and latest updated_at.
func fingerprint(t *testing.T, db *database.DB) map[string]string {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatalf("tables: %v", err)
	}
	parts := make([]string, 0, len(tables))
	for _, tb := range tables {
		latest := "''"
		// The outbox worker updates mail rows on its own schedule (delivering
		// earlier welcome mails); only a new row would be the request's doing.
		if tb != "mail_outbox" && db.Migrator().HasColumn(tb, "updated_at") {
			latest = "CAST(max(updated_at) AS TEXT)"
		}
		parts = append(parts, fmt.Sprintf("SELECT '%s' AS name, count(*) AS n, %s AS latest FROM %s", tb, latest, tb))
	}
	var rows []struct {
		Name   string
		N      int64
		Latest *string
	}
	if err := db.Raw(strings.Join(parts, " UNION ALL ")).Scan(&rows).Error; err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	out := map[string]string{}
	for _, r := range rows {
		l := ""
		if r.Latest != nil {
			l = *r.Latest
		}
		out[r.Name] = fmt.Sprintf("%d rows, latest %s", r.N, l)
	}
	return out
}

// holdsString reports whether the JSON document has s as one of its strings.
func holdsString(doc []byte, s string) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return x == s
		case []any:
			return slices.ContainsFunc(x, walk)
		case map[string]any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

func truncateBody(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
