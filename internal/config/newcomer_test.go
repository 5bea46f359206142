package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMistakesNameTheFix: a wrong setting is refused with the variable to
// change and what it must look like.
func TestMistakesNameTheFix(t *testing.T) {
	prod := map[string]string{
		"KANTUTA_ENV": "production", "SMTP_HOST": "mail.example.com", "CORS_ORIGINS": "https://pos.example.com",
		"JWT_SECRET": strings.Repeat("a", 32), "JWT_REFRESH_SECRET": strings.Repeat("b", 32), "METRICS_TOKEN": strings.Repeat("m", 32),
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name string
		env  map[string]string
		want string // "" = accepted
	}{
		{"port not a number", with(nil, "PORT", "abc"), `PORT must be a port number from 1 to 65535, got "abc"`},
		{"port zero", with(nil, "PORT", "0"), "PORT must be a port number"},
		{"port too big", with(nil, "PORT", "70000"), "PORT must be a port number"},
		{"addr without port", with(nil, "KANTUTA_ADDR", "localhost"), "KANTUTA_ADDR must be host:port"},
		{"addr bad port", with(nil, "KANTUTA_ADDR", ":http-alt"), "KANTUTA_ADDR must be host:port"},
		{"port and addr disagree", with(nil, "PORT", "8080", "KANTUTA_ADDR", ":3000"), "PORT and KANTUTA_ADDR disagree (PORT=8080, KANTUTA_ADDR=:3000): set only one of them"},
		{"port and addr agree", with(nil, "PORT", "8080", "KANTUTA_ADDR", "127.0.0.1:8080"), ""},
		{"production", prod, ""},
		{"placeholder JWT_SECRET", with(prod, "JWT_SECRET", "change-me-access-secret-at-least-32-bytes"), "JWT_SECRET is a placeholder"},
		{"placeholder refresh", with(prod, "JWT_REFRESH_SECRET", "CHANGE-ME-refresh-secret-at-least-32-bytes"), "JWT_REFRESH_SECRET is a placeholder"},
		{"placeholder admin password", with(prod, "KANTUTA_ADMIN_PASSWORD", "change-me"), "KANTUTA_ADMIN_PASSWORD is a placeholder"},
		{"placeholders pass in development", with(nil, "JWT_SECRET", "change-me-access-secret-at-least-32-bytes"), ""},
	}
	for _, tc := range cases {
		_, err := FromMap(tc.env)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	c, err := FromMap(with(nil, "PORT", "8080", "KANTUTA_ADDR", "127.0.0.1:8080"))
	if err != nil || c.Addr != "127.0.0.1:8080" {
		t.Fatalf("agreeing PORT and KANTUTA_ADDR: %q %v", c.Addr, err)
	}
}

// TestEnvFileLineNumber: a malformed .env names its line.
func TestEnvFileLineNumber(t *testing.T) {
	t.Chdir(t.TempDir())
	body := "# settings\nPORT=3001\n\nLOG_LEVEL=debug\nthis line is wrong\nSALT_ROUNDS=4\n"
	if err := os.WriteFile(".env", []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load()
	if err == nil || !strings.Contains(err.Error(), `.env line 5: "this line is wrong" is not NAME=value`) {
		t.Fatalf("err = %v", err)
	}
	if err := os.WriteFile(filepath.Join(".", ".env"), []byte("PORT=3002\n# ok\nexport LOG_LEVEL=warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PORT", "")
	os.Unsetenv("PORT")
	c, err := Load()
	if err != nil || c.Addr != ":3002" {
		t.Fatalf("a good .env: %q %v", c.Addr, err)
	}
}
