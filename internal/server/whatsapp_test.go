package server_test

import (
	"testing"

	"github.com/kantuta/kantuta/internal/role"
	"github.com/kantuta/kantuta/internal/testkit"
)

// SPEC §14.7: GET /whatsapp/connect answers 503 to every role (the page
// shows a connection error and keeps the session); nothing else of
// WhatsApp, the AI assistant or agentes is served.
func TestWhatsAppNotServed(t *testing.T) {
	app := testkit.NewApp(t, testkit.NewSQLite(t))
	for _, r := range []int{role.Admin, role.Lider, role.User} {
		res := app.Get("/whatsapp/connect", app.Token(r))
		m := res.Map(t)
		if res.Status != 503 || m["message"] != "La integración con WhatsApp no está habilitada en este servidor" ||
			m["error"] != "Service Unavailable" || m["statusCode"] != 503.0 {
			t.Errorf("role %d: %s", r, res)
		}
	}
	if res := app.Get("/whatsapp/connect", ""); res.Status != 401 {
		t.Errorf("no token: %s", res)
	}
	tok := app.Token(role.Admin)
	for _, p := range []string{"/whatsapp/qr", "/whatsapp/send-text", "/whatsapp/disconnect", "/ai-assistant", "/gemini", "/agentes"} {
		for _, method := range []string{"GET", "POST"} {
			res := app.Do(testkit.Request{Method: method, Path: p, Token: tok, Body: map[string]any{}})
			if res.Status != 404 || res.Map(t)["message"] != "Cannot "+method+" "+p {
				t.Errorf("%s %s: %s", method, p, res)
			}
		}
	}
}
