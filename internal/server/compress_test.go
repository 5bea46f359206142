package server_test

import (
	"net/http"
	"testing"

	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// TestCompressionWhereItBelongs: large JSON lists are compressed for a
// client that asks; /metrics and /socket.io/ never are unless asked (and
// the Socket.IO transport is not touched at all), and nothing is compressed
// for a client that does not ask.
func TestCompressionWhereItBelongs(t *testing.T) {
	t.Setenv(testkit.EnvValidateOpenAPI, "0") // /socket.io/ is not an OpenAPI route
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	admin := app.Token(role.Admin)
	for i := 0; i < 12; i++ {
		app.NewUsuario(role.User)
	}
	cases := []struct {
		path, ae string
		gzip     bool
	}{
		{"/usuario", "gzip", true},
		{"/usuario", "", false},
		{"/persona", "gzip", true},
		{"/persona", "", false},
		{"/openapi.yaml", "gzip", true},
		{"/metrics", "", false},
		{"/socket.io/?EIO=4&transport=polling", "", false},
		{"/socket.io/?EIO=4&transport=polling", "gzip", false},
	}
	for _, c := range cases {
		h := map[string]string{}
		if c.ae != "" {
			h["Accept-Encoding"] = c.ae
		}
		res := app.Do(testkit.Request{Method: http.MethodGet, Path: c.path, Token: admin, Header: h})
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d", c.path, res.Status)
		}
		if got := res.Header.Get("Content-Encoding") == "gzip"; got != c.gzip {
			t.Errorf("%s with Accept-Encoding %q: gzip %v, want %v (%d bytes)", c.path, c.ae, got, c.gzip, len(res.Body))
		}
	}
}
