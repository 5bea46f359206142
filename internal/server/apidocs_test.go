package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kantuta/kantuta/api"
	"github.com/kantuta/kantuta/internal/testkit"
)

func TestAPIDocs(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	get := func(path string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		app.Handler.ServeHTTP(rec, req)
		return rec
	}

	res := get("/openapi.yaml", nil)
	if res.Code != 200 || !bytes.Equal(res.Body.Bytes(), api.Spec) || !strings.HasPrefix(res.Header().Get("Content-Type"), "application/yaml") {
		t.Fatalf("/openapi.yaml: %d %q", res.Code, res.Header().Get("Content-Type"))
	}

	res = get("/docs", nil)
	page := res.Body.String()
	if res.Code != 200 || !strings.Contains(page, `id="swagger-ui"`) || !strings.Contains(res.Header().Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("/docs: %d %v", res.Code, res.Header())
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "<script>") {
		t.Fatal("/docs must load nothing from another host and run no inline script")
	}

	// The bundle is stored gzipped: sent as is to gzip clients, inflated for others.
	zipped := get("/docs/swagger-ui-bundle.js", map[string]string{"Accept-Encoding": "gzip, deflate"})
	if zipped.Code != 200 || zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip client: %d %v", zipped.Code, zipped.Header())
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	inflated, _ := io.ReadAll(zr)
	plain := get("/docs/swagger-ui-bundle.js", map[string]string{"Accept-Encoding": "gzip;q=0"})
	if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), inflated) || !bytes.Contains(inflated, []byte("SwaggerUIBundle")) {
		t.Fatalf("identity client got %d bytes, encoding %q", plain.Body.Len(), plain.Header().Get("Content-Encoding"))
	}
	if strings.Contains(zipped.Body.String(), "//cdn.") {
		t.Fatal("bundle references a CDN")
	}

	etag := zipped.Header().Get("ETag")
	if again := get("/docs/swagger-ui-bundle.js", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag}); again.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", again.Code)
	}

	for path, want := range map[string]string{"/api": "/docs"} {
		res := get(path, nil)
		if res.Code/100 != 3 || res.Header().Get("Location") != want {
			t.Errorf("%s: %d → %q, want a redirect to %s", path, res.Code, res.Header().Get("Location"), want)
		}
	}
	if res := get("/docs/../go.mod", nil); res.Code != 404 {
		t.Errorf("path escape: %d", res.Code)
	}
}
