package operador

import (
	"bytes"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kantuta/kantuta/internal/httpapi"
)

// FuzzOperatorRequests reads any body as POST /users and PUT /users/{id}
// do (readInput, then checkNew or checkUpdate): no panic; a refusal is a
// 4xx; an accepted body has a name within its limits without control
// characters, a PIN of 4–12 ASCII digits, an email that parses as itself
// and a phone of phone characters.
func FuzzOperatorRequests(f *testing.F) {
	f.Add([]byte(`{"name":"cajero1","pin":"1234","role":"3fa85f64-5717-4562-b3fc-2c963f66afa6","email":"c@kantuta.bo","phone":"+591 70012345"}`))
	f.Add([]byte(`{"name":"  Ana  ","pin":"****","roleId":"3FA85F64-5717-4562-B3FC-2C963F66AFA6","refreshToken":"x","isAdmin":true}`))
	f.Add([]byte(`{"name":null,"pin":1234,"email":"","phone":""}`))
	f.Add([]byte(`{"name":"a\u0000b","pin":"１２３４","role":"x","roleId":"y"}`))
	f.Add([]byte(`{"name":"` + strings.Repeat("é", 101) + `","pin":"1234567890123"}`))
	f.Add([]byte(`{"email":"a@b.co\r\nBcc: x@evil.test","phone":"(02) 123-456"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(""))
	f.Add([]byte("{\"name\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, what := range []string{"Failed to add user", "Failed to update user"} {
			r := httptest.NewRequest("POST", "/users", bytes.NewReader(body))
			in, err := readInput(r, what)
			if err != nil {
				if s := httpapi.AsError(err).Status; s < 400 || s >= 500 {
					t.Fatalf("readInput %q: status %d", body, s)
				}
				continue
			}
			if what == "Failed to add user" {
				name, _, err := checkNew(&in, what)
				if err != nil {
					refused(t, body, err)
					continue
				}
				checkName(t, body, name)
				checkPinAccepted(t, body, *in.Pin)
				checkContactAccepted(t, body, in)
				continue
			}
			c, ref, err := checkUpdate(&in, what)
			if err != nil {
				refused(t, body, err)
				continue
			}
			if c.Name == nil && in.Pin == nil && ref == nil && c.Email == nil && c.Phone == nil {
				t.Fatalf("update accepted with nothing to change: %q", body)
			}
			if c.Name != nil {
				checkName(t, body, *c.Name)
			}
			if in.Pin != nil {
				checkPinAccepted(t, body, *in.Pin)
			}
			checkContactAccepted(t, body, in)
		}
	})
}

func refused(t *testing.T, body []byte, err error) {
	t.Helper()
	e := httpapi.AsError(err)
	if e.Status != 400 || e.Message == "" {
		t.Fatalf("%q refused with %d %q, want a 400 with a message", body, e.Status, e.Message)
	}
}

func checkName(t *testing.T, body []byte, name string) {
	t.Helper()
	if name == "" || name != strings.TrimSpace(name) || utf8.RuneCountInString(name) > MaxNameLen || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		t.Fatalf("accepted name %q from %q", name, body)
	}
}

func checkPinAccepted(t *testing.T, body []byte, pin string) {
	t.Helper()
	if !ValidPin(pin) || len(pin) < MinPinLen || len(pin) > MaxPinLen {
		t.Fatalf("accepted PIN %q from %q", pin, body)
	}
}

func checkContactAccepted(t *testing.T, body []byte, in input) {
	t.Helper()
	if in.Email != nil && *in.Email != "" {
		a, err := mail.ParseAddress(*in.Email)
		if err != nil || a.Address != *in.Email || len(*in.Email) > MaxEmailLen*4 || utf8.RuneCountInString(*in.Email) > MaxEmailLen {
			t.Fatalf("accepted email %q from %q", *in.Email, body)
		}
	}
	if in.Phone != nil && (utf8.RuneCountInString(*in.Phone) > MaxPhoneLen || strings.Trim(*in.Phone, "0123456789+-() ") != "") {
		t.Fatalf("accepted phone %q from %q", *in.Phone, body)
	}
}
