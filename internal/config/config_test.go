package config

import (
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	c, err := FromMap(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":3000" || c.DatabaseURL != "sqlite:data/kantuta.db" || c.MailBackend != "console" {
		t.Fatalf("unexpected defaults: addr=%q db=%q mail=%q", c.Addr, c.DatabaseURL, c.MailBackend)
	}
	if c.JWTExpiresIn != 15*time.Minute || c.JWTRefreshExpiresIn != 7*24*time.Hour || c.BcryptCost != 10 {
		t.Fatalf("unexpected token defaults: %v %v %d", c.JWTExpiresIn, c.JWTRefreshExpiresIn, c.BcryptCost)
	}
	if c.RateLimitLogin != (Rate{30, time.Minute}) || c.RateLimitPublic != (Rate{20, time.Minute}) {
		t.Fatalf("unexpected rates: %v %v", c.RateLimitLogin, c.RateLimitPublic)
	}
	if c.RoleNames != [3]string{"admin", "lider", "user"} || !c.RegistrationOpen || c.MailPublic || c.PersonaPublicLookup {
		t.Fatalf("unexpected flags: %+v", c)
	}
	if len(c.CORSOrigins) != 1 || c.CORSOrigins[0] != "*" {
		t.Fatalf("development CORS should default to *: %v", c.CORSOrigins)
	}
	if c.ReportMaxRows != 10000 {
		t.Fatalf("REPORT_MAX_ROWS default = %d", c.ReportMaxRows)
	}
}

func TestVariables(t *testing.T) {
	c, err := FromMap(map[string]string{
		"PORT": "8080", "JWT_EXPIRES_IN": "8h", "JWT_REFRESH_EXPIRES_IN": "30d", "BCRYPT_COST": "12",
		"SMTP_HOST": "mail.example.com", "CORS_ORIGINS": "http://localhost:5173, https://pos.example.com",
		"RATE_LIMIT_LOGIN": "5/s", "TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.10", "ROLE_NAMES": "Administrador,Operador,Usuario",
		"DATABASE_URL": "postgres://u@h/db",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.JWTExpiresIn != 8*time.Hour || c.JWTRefreshExpiresIn != 30*24*time.Hour || c.BcryptCost != 12 {
		t.Fatalf("parsed wrong: %+v", c)
	}
	if c.MailBackend != "smtp" || c.SMTP.Port != 587 || c.SMTP.TLS != "starttls" {
		t.Fatalf("smtp: %+v %q", c.SMTP, c.MailBackend)
	}
	if len(c.CORSOrigins) != 2 || c.CORSOrigins[1] != "https://pos.example.com" {
		t.Fatalf("cors: %v", c.CORSOrigins)
	}
	if c.RateLimitLogin != (Rate{5, time.Second}) || len(c.TrustedProxies) != 2 || c.TrustedProxies[1].Bits() != 32 {
		t.Fatalf("rate/proxies: %v %v", c.RateLimitLogin, c.TrustedProxies)
	}
	for _, addr := range []string{"127.0.0.1:6060", "localhost:6060", "[::1]:6060"} {
		if c, err := FromMap(map[string]string{"PPROF_ADDR": addr}); err != nil || c.PprofAddr != addr {
			t.Fatalf("PPROF_ADDR %s refused: %v", addr, err)
		}
	}
	if c.RoleNames[0] != "Administrador" || c.IsSQLite() {
		t.Fatalf("roles/db: %v %v", c.RoleNames, c.IsSQLite())
	}
}

func TestRefusals(t *testing.T) {
	long := strings.Repeat("k", 32)
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"production without secrets", map[string]string{"KANTUTA_ENV": "production", "SMTP_HOST": "h", "CORS_ORIGINS": "https://a"}, "JWT_SECRET"},
		{"production short secret", map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": "short", "JWT_REFRESH_SECRET": long + "r", "SMTP_HOST": "h", "CORS_ORIGINS": "https://a"}, "JWT_SECRET"},
		{"production wildcard cors", map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": long, "JWT_REFRESH_SECRET": long + "r", "SMTP_HOST": "h", "CORS_ORIGINS": "*"}, "CORS_ORIGINS"},
		{"production console mail", map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": long, "JWT_REFRESH_SECRET": long + "r", "CORS_ORIGINS": "https://a"}, "MAIL_BACKEND"},
		{"production public metrics", map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": long, "JWT_REFRESH_SECRET": long + "r", "SMTP_HOST": "h", "CORS_ORIGINS": "https://a"}, "METRICS_ADDR or METRICS_TOKEN"},
		{"production smtp in clear", map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": long, "JWT_REFRESH_SECRET": long + "r", "SMTP_HOST": "smtp.example.com", "SMTP_TLS": "none", "CORS_ORIGINS": "https://a", "METRICS_TOKEN": long}, "SMTP_TLS"},
		{"short metrics token", map[string]string{"METRICS_TOKEN": "short"}, "METRICS_TOKEN"},
		{"metrics addr without port", map[string]string{"METRICS_ADDR": "10.0.0.5"}, "METRICS_ADDR"},
		{"bad mail rate", map[string]string{"MAIL_RATE_LIMIT": "many"}, "MAIL_RATE_LIMIT"},
		{"bad cookie secure", map[string]string{"COOKIE_SECURE": "sometimes"}, "COOKIE_SECURE"},
		{"same secrets", map[string]string{"JWT_SECRET": long, "JWT_REFRESH_SECRET": long}, "JWT_REFRESH_SECRET"},
		{"bad duration", map[string]string{"JWT_EXPIRES_IN": "soon"}, "JWT_EXPIRES_IN"},
		{"bad rate", map[string]string{"RATE_LIMIT_PUBLIC": "lots"}, "RATE_LIMIT_PUBLIC"},
		{"bad cost", map[string]string{"SALT_ROUNDS": "99"}, "SALT_ROUNDS"},
		{"bad bool", map[string]string{"REGISTRATION_OPEN": "maybe"}, "REGISTRATION_OPEN"},
		{"bad tls", map[string]string{"SMTP_TLS": "ssl3"}, "SMTP_TLS"},
		{"bad db", map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{"two role names", map[string]string{"ROLE_NAMES": "a,b"}, "ROLE_NAMES"},
		{"bad proxy", map[string]string{"TRUSTED_PROXIES": "not-an-ip"}, "TRUSTED_PROXIES"},
		{"pprof on every interface", map[string]string{"PPROF_ADDR": ":6060"}, "PPROF_ADDR"},
		{"pprof on a public address", map[string]string{"PPROF_ADDR": "10.0.0.5:6060"}, "PPROF_ADDR"},
		{"pprof without a port", map[string]string{"PPROF_ADDR": "127.0.0.1"}, "PPROF_ADDR"},
		{"report rows zero", map[string]string{"REPORT_MAX_ROWS": "0"}, "REPORT_MAX_ROWS"},
		{"whatsapp enabled", map[string]string{"WHATSAPP_ENABLED": "true"}, "WHATSAPP_ENABLED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromMap(tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error naming %s, got %v", tc.want, err)
			}
		})
	}
	ok := map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": long, "JWT_REFRESH_SECRET": long + "r", "SMTP_HOST": "h", "CORS_ORIGINS": "https://a", "METRICS_TOKEN": long}
	if _, err := FromMap(ok); err != nil {
		t.Fatalf("a safe production config was refused: %v", err)
	}
	for _, extra := range []map[string]string{
		{"METRICS_TOKEN": "", "METRICS_ADDR": "10.0.0.5:9090"},
		{"SMTP_TLS": "none", "SMTP_HOST": "127.0.0.1"},
		{"SMTP_TLS": "none", "SMTP_HOST": "localhost"},
		{"SMTP_TLS": "none", "SMTP_HOST": "::1"},
		{"CORS_ORIGINS": "https://*.shop.example,https://pos.shop.example,http://*.tienda.com.bo:8080"},
	} {
		env := map[string]string{}
		for k, v := range ok {
			env[k] = v
		}
		for k, v := range extra {
			env[k] = v
		}
		if _, err := FromMap(env); err != nil {
			t.Fatalf("production with %v was refused: %v", extra, err)
		}
	}
}

// TestProductionCORS: only the subdomains of a named, registrable domain
// may be a wildcard in production (issue 14, item 5).
func TestProductionCORS(t *testing.T) {
	long := strings.Repeat("k", 32)
	for pattern, allowed := range map[string]bool{
		"*": false, "null": false, "NULL": false, "https://*": false, "http://*": false, "*://*": false,
		"https://*.com": false, "https://*.com.bo": false, "https://*.co.uk": false, "https://*example.com": false,
		"https://pos*": false, "https://*.*.example.com": false, "ftp://*.example.com": false, "https://*.example.com/x": false,
		"https://*:443": false, "https://*.localhost": false,
		"https://*.example.com": true, "http://*.tienda.com.bo": true, "https://*.shop.example.com:8443": true,
		"https://pos.example.com": true, "http://localhost:5173": true,
	} {
		_, err := FromMap(map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": long, "JWT_REFRESH_SECRET": long + "r",
			"SMTP_HOST": "h", "METRICS_TOKEN": long, "CORS_ORIGINS": "https://a.example," + pattern})
		if allowed && err != nil {
			t.Errorf("%s refused: %v", pattern, err)
		}
		if !allowed && (err == nil || !strings.Contains(err.Error(), "CORS_ORIGINS")) {
			t.Errorf("%s allowed in production (err %v)", pattern, err)
		}
		// Development keeps accepting anything: it is the developer's machine.
		if _, err := FromMap(map[string]string{"CORS_ORIGINS": pattern}); err != nil {
			t.Errorf("%s refused in development: %v", pattern, err)
		}
	}
}

// TestProductionDefaults: registration closed, cookies Secure, 30 mails an
// hour; an explicit REGISTRATION_OPEN=true or COOKIE_SECURE=false is
// accepted with a warning (issue 14, items 2, 3 and 7).
func TestProductionDefaults(t *testing.T) {
	long := strings.Repeat("k", 32)
	prod := func(extra map[string]string) Config {
		t.Helper()
		env := map[string]string{"KANTUTA_ENV": "production", "JWT_SECRET": long, "JWT_REFRESH_SECRET": long + "r",
			"SMTP_HOST": "h", "CORS_ORIGINS": "https://a.example", "METRICS_TOKEN": long}
		for k, v := range extra {
			env[k] = v
		}
		c, err := FromMap(env)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := prod(nil)
	if c.RegistrationOpen || !c.CookieSecure || c.MailRateLimit != (Rate{30, time.Hour}) || len(c.Warnings) != 0 {
		t.Fatalf("production defaults: registration %v, cookie secure %v, mail %v, warnings %q", c.RegistrationOpen, c.CookieSecure, c.MailRateLimit, c.Warnings)
	}
	c = prod(map[string]string{"REGISTRATION_OPEN": "true"})
	if !c.RegistrationOpen || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "REGISTRATION_OPEN") {
		t.Fatalf("explicit open registration: %v %q", c.RegistrationOpen, c.Warnings)
	}
	c = prod(map[string]string{"COOKIE_SECURE": "false"})
	if c.CookieSecure || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "never be Secure") {
		t.Fatalf("insecure cookies without proxies: %v %q", c.CookieSecure, c.Warnings)
	}
	c = prod(map[string]string{"COOKIE_SECURE": "false", "TRUSTED_PROXIES": "10.0.0.0/8"})
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "trusted proxy") {
		t.Fatalf("insecure cookies behind proxies: %q", c.Warnings)
	}
	dev, err := FromMap(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if !dev.RegistrationOpen || dev.CookieSecure || len(dev.Warnings) != 0 {
		t.Fatalf("development defaults: registration %v, cookie secure %v, warnings %q", dev.RegistrationOpen, dev.CookieSecure, dev.Warnings)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"15m": 15 * time.Minute, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "60": time.Minute, "1h30m": 90 * time.Minute} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestEnsureSecretsPersists(t *testing.T) {
	dir := t.TempDir()
	c1, _ := FromMap(map[string]string{"KANTUTA_DATA_DIR": dir})
	if err := c1.EnsureSecrets(); err != nil {
		t.Fatal(err)
	}
	c2, _ := FromMap(map[string]string{"KANTUTA_DATA_DIR": dir})
	if err := c2.EnsureSecrets(); err != nil {
		t.Fatal(err)
	}
	if len(c1.JWTSecret) < 32 || string(c1.JWTSecret) != string(c2.JWTSecret) || string(c1.JWTSecret) == string(c1.JWTRefreshSecret) {
		t.Fatalf("secrets not kept or not distinct: %q %q %q", c1.JWTSecret, c2.JWTSecret, c1.JWTRefreshSecret)
	}
}

func TestRealtimeAuth(t *testing.T) {
	c, err := FromMap(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.RealtimeAuth != "origin" || c.RateLimitRealtime != (Rate{60, time.Minute}) {
		t.Fatalf("realtime defaults: %q %v", c.RealtimeAuth, c.RateLimitRealtime)
	}
	for _, tc := range []struct{ in, want string }{{"origin", "origin"}, {"TOKEN", "token"}, {" off ", "off"}} {
		c, err := FromMap(map[string]string{"REALTIME_AUTH": tc.in, "RATE_LIMIT_REALTIME": "5/s"})
		if err != nil || c.RealtimeAuth != tc.want || c.RateLimitRealtime != (Rate{5, time.Second}) {
			t.Fatalf("REALTIME_AUTH=%q: %q %v %v", tc.in, c.RealtimeAuth, c.RateLimitRealtime, err)
		}
	}
	for _, bad := range []map[string]string{{"REALTIME_AUTH": "none"}, {"REALTIME_AUTH": "true"}, {"RATE_LIMIT_REALTIME": "0/min"}} {
		if _, err := FromMap(bad); err == nil {
			t.Fatalf("%v accepted", bad)
		} else if k := strings.Split(err.Error(), " ")[0]; !strings.Contains(strings.Join([]string{"REALTIME_AUTH", "RATE_LIMIT_REALTIME"}, ","), k) {
			t.Fatalf("%v: error names %q: %v", bad, k, err)
		}
	}
}
