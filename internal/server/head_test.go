package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestHeadWhereverGetWorks asks every GET route the router registers with
// HEAD and with GET: same status and content type, and no body for HEAD.
func TestHeadWhereverGetWorks(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	_, token := app.NewUsuario(role.Admin)
	var paths []string
	err := chi.Walk(app.Router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet {
			paths = append(paths, paramPattern.ReplaceAllString(strings.TrimSuffix(route, "/"), "1"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 10 {
		t.Fatalf("only %d GET routes found", len(paths))
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, token string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, app.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	for _, p := range paths {
		for _, tok := range []string{token, ""} {
			get, getBody := do(http.MethodGet, p, tok)
			head, headBody := do(http.MethodHead, p, tok)
			if head.StatusCode == http.StatusMethodNotAllowed || head.StatusCode != get.StatusCode {
				t.Errorf("HEAD %s (token %v): %d, GET: %d", p, tok != "", head.StatusCode, get.StatusCode)
			}
			if head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
				t.Errorf("HEAD %s: Content-Type %q, GET %q", p, head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
			}
			if len(headBody) != 0 {
				t.Errorf("HEAD %s sent a body of %d bytes", p, len(headBody))
			}
			_ = getBody
		}
	}
	// A method no route has is still 405, and HEAD on an unknown path 404.
	if res, _ := do(http.MethodPatch, "/healthz", ""); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PATCH /healthz: %d", res.StatusCode)
	}
	if res, _ := do(http.MethodHead, "/no-such-route", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD /no-such-route: %d", res.StatusCode)
	}
}
