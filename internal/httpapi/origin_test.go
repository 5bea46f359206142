package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCredentialedOriginAllowed(t *testing.T) {
	patterns := []string{"https://pos.shop.example", "https://*.tienda.example", "*"}
	for origin, want := range map[string]bool{
		"https://pos.shop.example":      true,
		"HTTPS://POS.SHOP.EXAMPLE":      true,
		"https://caja.tienda.example":   true,
		"https://a.b.tienda.example":    true,
		"https://evil.test":             false, // "*" allows no credentials
		"http://pos.shop.example":       false,
		"https://tienda.example.evil":   false,
		"https://eviltienda.example":    false,
		"null":                          false,
		"":                              false,
		"https://pos.shop.example.evil": false,
	} {
		if got := CredentialedOriginAllowed(origin, patterns); got != want {
			t.Errorf("%q: %v, want %v", origin, got, want)
		}
	}
}

func TestSameOriginAndRequestOrigin(t *testing.T) {
	cases := []struct {
		host, origin, referer string
		wantOrigin            string
		given, same           bool
	}{
		{"pos.example:3000", "http://pos.example:3000", "", "http://pos.example:3000", true, true},
		{"pos.example", "https://pos.example:443", "", "https://pos.example:443", true, true},
		{"POS.example", "https://pos.EXAMPLE", "", "https://pos.EXAMPLE", true, true},
		{"pos.example", "https://evil.test", "", "https://evil.test", true, false},
		{"pos.example", "", "https://evil.test/page?x=1", "https://evil.test", true, false},
		{"pos.example", "", "https://pos.example/app", "https://pos.example", true, true},
		{"pos.example", "", "::not a url", "null", true, false},
		{"pos.example", "null", "", "null", true, false},
		{"pos.example", "", "", "", false, false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodPost, "http://"+tc.host+"/x", nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.referer != "" {
			r.Header.Set("Referer", tc.referer)
		}
		o, given := RequestOrigin(r)
		if o != tc.wantOrigin || given != tc.given {
			t.Errorf("%+v: origin %q given %v", tc, o, given)
		}
		if given && SameOrigin(r, o) != tc.same {
			t.Errorf("%+v: same origin %v", tc, !tc.same)
		}
	}
}

func TestSecureCookies(t *testing.T) {
	h := SecureCookies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "accessToken", Value: "a", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "refreshToken", Value: "b", Secure: true})
		w.WriteHeader(http.StatusOK)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 2 || !cookies[0].Secure || !cookies[1].Secure {
		t.Fatalf("cookies: %v", rec.Header()["Set-Cookie"])
	}
	for _, c := range rec.Header()["Set-Cookie"] {
		if countSecure(c) != 1 {
			t.Fatalf("Secure not exactly once: %q", c)
		}
	}
}

func countSecure(setCookie string) int {
	n := 0
	for i := 0; i+6 <= len(setCookie); i++ {
		if setCookie[i:i+6] == "Secure" {
			n++
		}
	}
	return n
}
