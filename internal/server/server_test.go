package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestOperations(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, db *database.DB) {
		app := testkit.NewApp(t, db)

		res := app.Get("/healthz", "")
		if res.Status != 200 || !strings.Contains(string(res.Body), `"ok"`) {
			t.Fatalf("healthz: %s", res)
		}
		res = app.Get("/readyz", "")
		if res.Status != 200 || app.Map(t, res)["database"] != db.Dialect {
			t.Fatalf("readyz: %s", res)
		}
		for _, h := range []string{"X-Content-Type-Options", "Referrer-Policy", "X-Request-Id"} {
			if res.Header.Get(h) == "" {
				t.Errorf("missing header %s", h)
			}
		}
		if res.Header.Get("X-Powered-By") != "" {
			t.Error("X-Powered-By must not be sent")
		}

		res = app.Get("/metrics", "")
		if res.Status != 200 || !strings.Contains(string(res.Body), `kantuta_http_requests_total{method="GET",route="/readyz",status="200"}`) ||
			!strings.Contains(string(res.Body), "go_sql_max_open_connections") {
			t.Fatalf("metrics lack request or pool series: %s", res.Body)
		}
	})
}

func TestReadyzWhenDatabaseIsGone(t *testing.T) {
	db := testkit.NewSQLite(t)
	app := testkit.NewApp(t, db)
	db.Close()
	res := app.Get("/readyz", "")
	m := app.Map(t, res)
	if res.Status != http.StatusServiceUnavailable || m["statusCode"] != float64(503) || m["request_id"] == "" {
		t.Fatalf("readyz with a closed database: %s", res)
	}
	if strings.Contains(string(res.Body), "sql") {
		t.Fatalf("driver text leaked: %s", res.Body)
	}
}

func TestFamilyErrorShapes(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	cases := []struct {
		name   string
		req    testkit.Request
		status int
		check  func(t *testing.T, res *testkit.Response)
	}{
		{"nest 404", testkit.Request{Method: "GET", Path: "/nope"}, 404, nestShape},
		{"nest 405", testkit.Request{Method: "DELETE", Path: "/healthz"}, 405, nestShape},
		{"clientes 404", testkit.Request{Method: "GET", Path: "/api/pos/nada"}, 404, messageShape},
		{"plain 404", testkit.Request{Method: "GET", Path: "/users/a/b/c"}, 404, textShape},
		{"nest 415", testkit.Request{Method: "POST", Path: "/auth/login", Body: "email=a", Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, nestShape},
		{"clientes 415", testkit.Request{Method: "POST", Path: "/api/pos/clientes", Body: "x", Header: map[string]string{"Content-Type": "text/plain"}}, 415, messageShape},
		{"nest 413", testkit.Request{Method: "POST", Path: "/auth/login", Body: strings.Repeat("a", 2<<20)}, 413, nestShape},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := app.Do(tc.req)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			tc.check(t, res)
		})
	}
}

func nestShape(t *testing.T, res *testkit.Response) {
	t.Helper()
	var m map[string]any
	res.JSON(t, &m)
	for _, k := range []string{"statusCode", "message", "error", "error_detail", "timestamp", "path"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("Nest error lacks %q: %s", k, res.Body)
		}
	}
	if int(m["statusCode"].(float64)) != res.Status {
		t.Fatalf("statusCode %v != %d", m["statusCode"], res.Status)
	}
}

func messageShape(t *testing.T, res *testkit.Response) {
	t.Helper()
	var m map[string]any
	res.JSON(t, &m)
	if _, ok := m["message"].(string); !ok || len(m) != 1 {
		t.Fatalf("want exactly {message}: %s", res.Body)
	}
}

func textShape(t *testing.T, res *testkit.Response) {
	t.Helper()
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || len(res.Body) == 0 {
		t.Fatalf("want a text/plain body: %q %s", res.Header.Get("Content-Type"), res.Body)
	}
}

func TestCORS(t *testing.T) {
	db := testkit.NewSQLite(t)
	open := testkit.NewApp(t, db)
	res := open.Do(testkit.Request{Method: "OPTIONS", Path: "/auth/login", Header: map[string]string{
		"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}})
	if res.Header.Get("Access-Control-Allow-Origin") == "" || res.Header.Get("Access-Control-Allow-Credentials") == "true" {
		t.Fatalf("wildcard CORS must allow the origin without credentials: %v", res.Header)
	}
	listed := testkit.NewApp(t, testkit.NewSQLite(t), map[string]string{"CORS_ORIGINS": "https://pos.example.com"})
	res = listed.Do(testkit.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": "https://pos.example.com"}})
	if res.Header.Get("Access-Control-Allow-Origin") != "https://pos.example.com" || res.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("listed origin: %v", res.Header)
	}
	res = listed.Do(testkit.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"Origin": "https://evil.example"}})
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("unlisted origin allowed: %v", res.Header)
	}
}
