package server_test

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/testkit"
)

var paramPattern = regexp.MustCompile(`\{[^}]*\}`)

// routeKey is "METHOD /path" with every path parameter written {}, so that
// chi's {id:[0-9]+} and the spec's {id} (or another name) compare equal,
// and without chi's trailing slash on a subrouter's root ("/usuario/").
func routeKey(method, pattern string) string {
	pattern = paramPattern.ReplaceAllString(pattern, "{}")
	if len(pattern) > 1 {
		pattern = strings.TrimSuffix(pattern, "/")
	}
	return strings.ToUpper(method) + " " + pattern
}

// TestRoutesMatchOpenAPI fails when a route registered on the router is not
// documented in api/openapi.yaml, or a documented operation is not routed.
func TestRoutesMatchOpenAPI(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	if app.Router == nil {
		t.Fatal("server.App.Router is not set")
	}
	routed := map[string]string{}
	err := chi.Walk(app.Router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.Contains(route, "*") {
			t.Errorf("%s %s: a wildcard route cannot be documented in OpenAPI; route each path explicitly", method, route)
		}
		routed[routeKey(method, route)] = method + " " + route
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}

	spec, err := testkit.LoadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{}
	for path, item := range spec.Doc.Paths.Map() {
		for method := range item.Operations() {
			documented[routeKey(method, path)] = method + " " + path
		}
	}

	var problems []string
	for key, route := range routed {
		if _, ok := documented[key]; !ok {
			problems = append(problems, "routed but not in api/openapi.yaml: "+route)
		}
	}
	for key, op := range documented {
		if _, ok := routed[key]; !ok {
			problems = append(problems, "in api/openapi.yaml but not routed: "+op)
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestOperationsMatchOpenAPI checks the operations routes, the docs and
// the error answers of unknown routes against the spec.
func TestOperationsMatchOpenAPI(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	app.ValidateResponses(t)
	for _, tc := range []struct {
		req    testkit.Request
		status int
	}{
		{testkit.Request{Method: "GET", Path: "/healthz"}, 200},
		{testkit.Request{Method: "GET", Path: "/readyz"}, 200},
		{testkit.Request{Method: "GET", Path: "/metrics"}, 200},
		{testkit.Request{Method: "GET", Path: "/openapi.yaml"}, 200},
		{testkit.Request{Method: "GET", Path: "/docs"}, 200},
		{testkit.Request{Method: "GET", Path: "/docs/swagger-ui-bundle.js"}, 200},
		{testkit.Request{Method: "GET", Path: "/docs/swagger-ui.css"}, 200},
		{testkit.Request{Method: "GET", Path: "/docs/init.js"}, 200},
		{testkit.Request{Method: "GET", Path: "/docs/favicon-32x32.png"}, 200},
		{testkit.Request{Method: "GET", Path: "/docs/nope.js"}, 404},
		{testkit.Request{Method: "GET", Path: "/nope"}, 404},
		{testkit.Request{Method: "DELETE", Path: "/healthz"}, 405},
		{testkit.Request{Method: "GET", Path: "/api/pos/nada"}, 404},
		{testkit.Request{Method: "GET", Path: "/users/a/b/c"}, 404},
	} {
		res := app.Do(tc.req)
		if res.Status != tc.status {
			t.Errorf("%s %s: %d, want %d: %.200s", tc.req.Method, tc.req.Path, res.Status, tc.status, res.Body)
		}
	}
}

// TestValidatorCatchesMismatches proves the hook is not vacuous: answers
// that break the spec are reported.
func TestValidatorCatchesMismatches(t *testing.T) {
	spec, err := testkit.LoadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	req := func(method, path string) *http.Request {
		r, _ := http.NewRequest(method, "http://127.0.0.1:1"+path, nil)
		return r
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for name, tc := range map[string]struct {
		req *http.Request
		res testkit.Response
	}{
		"wrong field type":        {req("GET", "/healthz"), testkit.Response{Status: 200, Header: jsonHeader, Body: []byte(`{"status":1}`)}},
		"undocumented status":     {req("GET", "/healthz"), testkit.Response{Status: 418, Header: jsonHeader, Body: []byte(`{}`)}},
		"missing required field":  {req("GET", "/readyz"), testkit.Response{Status: 200, Header: jsonHeader, Body: []byte(`{"status":"ready"}`)}},
		"nest error lacks path":   {req("GET", "/readyz"), testkit.Response{Status: 503, Header: jsonHeader, Body: []byte(`{"statusCode":503,"message":"x","error":"x","timestamp":"t"}`)}},
		"unknown route not nest":  {req("GET", "/nope"), testkit.Response{Status: 404, Header: jsonHeader, Body: []byte(`{"message":"x"}`)}},
		"unknown route not plain": {req("GET", "/users/a/b"), testkit.Response{Status: 404, Header: jsonHeader, Body: []byte(`{"message":"x"}`)}},
		"429 without Retry-After": {req("POST", "/auth/refresh_token"), testkit.Response{Status: 429, Header: jsonHeader,
			Body: []byte(`{"statusCode":429,"message":"x","error":"x","timestamp":"t","path":"/auth/refresh_token"}`)}},
		"body on 204": {req("DELETE", "/users/76ee1086-b945-4170-b2e6-9fbeb95ae0be"), testkit.Response{Status: 204, Header: jsonHeader, Body: []byte(`{}`)}},
	} {
		res := tc.res
		if err := spec.Check(tc.req, &res); err == nil {
			t.Errorf("%s: the validator accepted it", name)
		}
	}
	// and the legitimate variants pass
	ok := map[string]struct {
		req *http.Request
		res testkit.Response
	}{
		"nest message as array": {req("POST", "/usuario/register"), testkit.Response{Status: 400, Header: jsonHeader,
			Body: []byte(`{"statusCode":400,"message":["a","b"],"error":"Bad Request","error_detail":"Bad Request","timestamp":"2024-07-10T14:22:00.000Z","path":"/usuario/register"}`)}},
		"429 with Retry-After": {req("POST", "/auth/refresh_token"), testkit.Response{Status: 429,
			Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"60"}},
			Body:   []byte(`{"statusCode":429,"message":"x","error":"x","error_detail":"x","timestamp":"t","path":"/auth/refresh_token"}`)}},
		"pin lockout": {req("POST", "/auth/login"), testkit.Response{Status: 429,
			Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"900"}}, Body: []byte(`{"retryAfter":900}`)}},
		"plain 404": {req("GET", "/users/76ee1086-b945-4170-b2e6-9fbeb95ae0be"), testkit.Response{Status: 404,
			Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte(`User not found`)}},
		"204 empty": {req("GET", "/users"), testkit.Response{Status: 204, Header: http.Header{}}},
		"clientes errors": {req("POST", "/api/pos/clientes"), testkit.Response{Status: 400, Header: jsonHeader,
			Body: []byte(`{"errors":["ct_codigo es requerido y máximo 10 caracteres"]}`)}},
	}
	for name, tc := range ok {
		res := tc.res
		if err := spec.Check(tc.req, &res); err != nil {
			t.Errorf("%s: rejected: %v", name, err)
		}
	}
}
