package mail

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// FuzzMailRequests decodes and validates any body as POST /mail does, then
// renders the accepted ones as the outbox would store them: no panic; a
// refusal is a 4xx; an accepted mail has a recipient, a subject of at most
// 200 characters without line breaks, and an HTML body with exactly the
// tags of the template (every '<' of the caller's text escaped).
func FuzzMailRequests(f *testing.F) {
	f.Add([]byte(`{"email":"cliente@correo.bo","subject":"Pedido 42","message":"Hola, su pedido está listo.","name":"María"}`))
	f.Add([]byte(`{"email":"a@b.co","subject":"<b>x</b>","message":"<script>alert(1)</script>\n\n</div></body>","name":"</title><img src=x>"}`))
	f.Add([]byte(`{"email":"a@b.co\r\nBcc: x@evil.test","subject":"Hola\r\nBcc: y@evil.test","message":"m"}`))
	f.Add([]byte(`{"email":"a@b.co","subject":"   ","message":"\u0000"}`))
	f.Add([]byte(`{"email":"a@b.co","subject":"s","message":"` + strings.Repeat("m", 10001) + `"}`))
	f.Add([]byte(`{"email":1,"subject":[],"message":{},"name":false,"x":null}`))
	f.Add([]byte(`{"email":"a@b.co","subject":"{{.Message}}","message":"{{template \"top\" .}}","name":"\u2028"}`))
	v := httpapi.NewValidator()
	registerRules(v)
	f.Add([]byte(`{"email":"a@b.co","subject":"s","message":"m","name":"Banco \"Seguro\" <soporte@banco.test>, otro"}`))
	tags := func(name string) int { // '<' in the template's own markup
		m, err := render(KindMessage, "a@b.co", name, "S", map[string]any{"Message": "M"})
		if err != nil {
			f.Fatal(err)
		}
		return strings.Count(m.BodyHTML, "<")
	}
	withName, withoutName := tags("N"), tags("")
	f.Fuzz(func(t *testing.T, body []byte) {
		var b sendBody
		if err := httpapi.DecodeJSONBytes(body, &b); err != nil {
			if s := httpapi.AsError(err).Status; s < 400 || s >= 500 {
				t.Fatalf("%q: status %d", body, s)
			}
			return
		}
		if err := v.Check(b); err != nil {
			if s := httpapi.AsError(err).Status; s != 400 {
				t.Fatalf("%q: validation status %d", body, s)
			}
			return
		}
		if strings.ContainsAny(b.Subject, "\r\n") || utf8.RuneCountInString(b.Subject) > 200 || strings.TrimSpace(b.Subject) == "" {
			t.Fatalf("accepted subject %q", b.Subject)
		}
		if strings.ContainsAny(b.Name, displayNameForbidden) {
			t.Fatalf("accepted a display name that restructures the To: header: %q", b.Name)
		}
		if utf8.RuneCountInString(b.Message) > 10000 || utf8.RuneCountInString(b.Name) > 100 {
			t.Fatalf("accepted an over-long message or name from %q", body)
		}
		m, err := render(KindMessage, b.Email, b.Name, b.Subject, map[string]any{"Message": b.Message})
		if err != nil {
			t.Fatalf("accepted %q but it does not render: %v", body, err)
		}
		if m.ToEmail == "" || strings.ContainsAny(m.ToEmail+m.Subject+m.ToName, "\r\n") {
			t.Fatalf("rendered header fields with line breaks: %q %q %q", m.ToEmail, m.Subject, m.ToName)
		}
		want := withName
		if m.ToName == "" {
			want = withoutName
		}
		if got := strings.Count(m.BodyHTML, "<"); got != want {
			t.Fatalf("the HTML body has %d '<', the template %d: input not escaped: %q", got, want, body)
		}
	})
}
