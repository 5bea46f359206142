// Package config turns the environment (and an optional .env file) into one
// validated Config. It is read once at start; nothing else reads os.Getenv.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // KANTUTA_TZ works on hosts without a zoneinfo database

	"github.com/joho/godotenv"
	"golang.org/x/net/publicsuffix"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// Rate is "N requests per window".
type Rate struct {
	Requests int
	Per      time.Duration
}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Requests, r.Per) }

// SMTP holds the outgoing mail server settings.
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string
	From     string
	TLS      string // starttls | tls | none
}

// Config is everything the server and the CLI need to know about their surroundings.
type Config struct {
	Env         string
	Addr        string
	DataDir     string
	DatabaseURL string // postgres://… or sqlite:PATH

	JWTSecret           []byte
	JWTRefreshSecret    []byte
	JWTExpiresIn        time.Duration
	JWTRefreshExpiresIn time.Duration
	BcryptCost          int

	AdminEmail    string
	AdminPassword string // empty: a random one is generated and printed once

	MailBackend string // console | smtp
	SMTP        SMTP

	CORSOrigins         []string
	RegistrationOpen    bool
	MailPublic          bool
	MailRateLimit       Rate // POST /mail per signed-in account
	PersonaPublicLookup bool
	RateLimitLogin      Rate
	RateLimitPublic     Rate
	LoginMaxFailures    int
	LoginLockout        time.Duration
	TrustedProxies      []netip.Prefix
	RoleNames           [3]string

	ClientesValidarIdentificacion bool
	// ReportMaxRows caps the rows of one report list (REPORT_MAX_ROWS, SPEC
	// §14.1); totals still cover everything and the answer says "truncado".
	ReportMaxRows int

	// RealtimeAuth decides who may open a Socket.IO connection: origin
	// (default), token or off (SPEC §14.6); RateLimitRealtime bounds new
	// Socket.IO sessions per client IP.
	RealtimeAuth      string
	RateLimitRealtime Rate

	LogLevel  slog.Level
	LogFormat string // text | json

	DBMaxOpenConns  int
	ShutdownTimeout time.Duration
	// RequestTimeout bounds each request's work: a database that does not
	// answer within it makes the request a 503 instead of a hang.
	RequestTimeout time.Duration
	// PprofAddr, when set, serves net/http/pprof on its own loopback
	// listener, never on the API's address.
	PprofAddr string
	// Location is KANTUTA_TZ, the zone of the business day (SPEC §14.1):
	// report days and aggregate keys are local days of it.
	Location *time.Location

	// CookieSecure marks the session cookies Secure on every answer, not
	// only on requests seen to come over TLS (COOKIE_SECURE).
	CookieSecure bool
	// MetricsAddr, when set, serves /metrics on a listener of its own and
	// not on the API's address; MetricsToken, when set, is the bearer
	// token /metrics asks for.
	MetricsAddr  string
	MetricsToken string

	// Warnings are settings that were accepted but are unsafe; the server
	// logs each one at start.
	Warnings []string
}

// IsProduction reports whether unsafe settings must be refused.
func (c Config) IsProduction() bool { return c.Env == Production }

// IsSQLite reports whether the configured database is the embedded one.
func (c Config) IsSQLite() bool { return !strings.HasPrefix(c.DatabaseURL, "postgres") }

// Load reads the process environment, with a .env file in the working
// directory filling in what the environment leaves unset.
func Load() (Config, error) {
	env := map[string]string{}
	if file, err := godotenv.Read(".env"); err == nil {
		env = file
	} else if !errors.Is(err, os.ErrNotExist) {
		return Config{}, envFileError(".env", err)
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return FromMap(env)
}

// FromMap builds a Config from explicit variables; tests use it directly.
func FromMap(env map[string]string) (Config, error) {
	p := parser{env: env}
	c := Config{
		Env:     strings.ToLower(p.str("KANTUTA_ENV", Development)),
		DataDir: p.str("KANTUTA_DATA_DIR", "./data"),
	}
	if c.Env != Development && c.Env != Production && c.Env != "test" {
		p.fail("KANTUTA_ENV", "must be development, production or test")
	}
	c.Addr = p.str("KANTUTA_ADDR", "")
	port := p.str("PORT", "")
	switch {
	case c.Addr != "" && port != "" && !strings.HasSuffix(c.Addr, ":"+port):
		// Platforms set PORT; an image or .env may set KANTUTA_ADDR. Silently
		// preferring one would serve on a port nobody expects.
		p.fail("PORT", fmt.Sprintf("and KANTUTA_ADDR disagree (PORT=%s, KANTUTA_ADDR=%s): set only one of them", port, c.Addr))
	case c.Addr != "":
		// Port 0 (any free port) is allowed here, for tests and tools.
		if _, pt, err := net.SplitHostPort(c.Addr); err != nil || (!validPort(pt) && pt != "0") {
			p.fail("KANTUTA_ADDR", fmt.Sprintf("must be host:port with a port from 1 to 65535, such as :3000 or 127.0.0.1:3000, got %q", c.Addr))
		}
	default:
		if port == "" {
			port = "3000"
		}
		if !validPort(port) {
			p.fail("PORT", fmt.Sprintf("must be a port number from 1 to 65535, got %q", port))
		}
		c.Addr = ":" + port
	}
	c.DatabaseURL = p.str("DATABASE_URL", "")
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "kantuta.db")
	}
	if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		!strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		p.fail("DATABASE_URL", "must start with postgres:// or sqlite:")
	}

	c.JWTSecret = []byte(p.str("JWT_SECRET", ""))
	c.JWTRefreshSecret = []byte(p.str("JWT_REFRESH_SECRET", ""))
	c.JWTExpiresIn = p.duration("JWT_EXPIRES_IN", 15*time.Minute)
	c.JWTRefreshExpiresIn = p.duration("JWT_REFRESH_EXPIRES_IN", 7*24*time.Hour)
	c.BcryptCost = p.integer("SALT_ROUNDS", p.integer("BCRYPT_COST", 10))
	if c.BcryptCost < 4 || c.BcryptCost > 31 {
		p.fail("SALT_ROUNDS", "must be between 4 and 31")
	}

	c.AdminEmail = strings.ToLower(p.str("KANTUTA_ADMIN_EMAIL", "admin@kantuta.local"))
	c.AdminPassword = p.str("KANTUTA_ADMIN_PASSWORD", "")

	c.SMTP = SMTP{
		Host:     p.str("SMTP_HOST", ""),
		Port:     p.integer("SMTP_PORT", 587),
		User:     p.str("SMTP_USER", ""),
		Password: p.str("SMTP_PASSWORD", ""),
		From:     p.str("SMTP_FROM", "Kantuta POS <no-reply@kantuta.local>"),
		TLS:      strings.ToLower(p.str("SMTP_TLS", "starttls")),
	}
	if c.SMTP.TLS != "starttls" && c.SMTP.TLS != "tls" && c.SMTP.TLS != "none" {
		p.fail("SMTP_TLS", "must be starttls, tls or none")
	}
	defaultBackend := "smtp"
	if c.SMTP.Host == "" {
		defaultBackend = "console"
	}
	c.MailBackend = strings.ToLower(p.str("MAIL_BACKEND", defaultBackend))
	if c.MailBackend != "console" && c.MailBackend != "smtp" {
		p.fail("MAIL_BACKEND", "must be console or smtp")
	}
	if c.MailBackend == "smtp" && c.SMTP.Host == "" {
		p.fail("SMTP_HOST", "is required when MAIL_BACKEND=smtp")
	}

	defaultCORS := "*"
	if c.Env == Production {
		defaultCORS = ""
	}
	c.CORSOrigins = p.list("CORS_ORIGINS", defaultCORS)
	// A production shop registers its staff itself: an open registration
	// would let any stranger read the customers (issue 14).
	c.RegistrationOpen = p.boolean("REGISTRATION_OPEN", c.Env != Production)
	if c.IsProduction() && c.RegistrationOpen {
		c.Warnings = append(c.Warnings, "REGISTRATION_OPEN=true in production: anyone can create an account with POST /usuario/register")
	}
	c.MailPublic = p.boolean("MAIL_PUBLIC", false)
	c.MailRateLimit = p.rate("MAIL_RATE_LIMIT", Rate{30, time.Hour})
	c.PersonaPublicLookup = p.boolean("PERSONA_PUBLIC_LOOKUP", false)
	c.RateLimitLogin = p.rate("RATE_LIMIT_LOGIN", Rate{30, time.Minute})
	c.RateLimitPublic = p.rate("RATE_LIMIT_PUBLIC", Rate{20, time.Minute})
	c.LoginMaxFailures = p.integer("LOGIN_MAX_FAILURES", 5)
	c.LoginLockout = p.duration("LOGIN_LOCKOUT", 15*time.Minute)
	for _, cidr := range p.list("TRUSTED_PROXIES", "") {
		prefix, err := netip.ParsePrefix(cidr)
		if err != nil {
			addr, aerr := netip.ParseAddr(cidr)
			if aerr != nil {
				p.fail("TRUSTED_PROXIES", fmt.Sprintf("%q is not a CIDR or an IP address", cidr))
				continue
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	names := p.list("ROLE_NAMES", "admin,lider,user")
	if len(names) != 3 {
		p.fail("ROLE_NAMES", "must name exactly three roles (admin, lider, user)")
	} else {
		copy(c.RoleNames[:], names)
	}
	c.ClientesValidarIdentificacion = p.boolean("CLIENTES_VALIDAR_IDENTIFICACION", false)
	if c.ReportMaxRows = p.integer("REPORT_MAX_ROWS", 10000); c.ReportMaxRows < 1 {
		p.fail("REPORT_MAX_ROWS", "must be a positive number of rows")
	}
	if p.boolean("WHATSAPP_ENABLED", false) {
		// SPEC §14.7: the integration is not part of this phase.
		p.fail("WHATSAPP_ENABLED", "only false is supported: WhatsApp is not served in this version")
	}
	c.RealtimeAuth = strings.ToLower(p.str("REALTIME_AUTH", "origin"))
	if c.RealtimeAuth != "origin" && c.RealtimeAuth != "token" && c.RealtimeAuth != "off" {
		p.fail("REALTIME_AUTH", fmt.Sprintf("must be origin, token or off, got %q", c.RealtimeAuth))
	}
	c.RateLimitRealtime = p.rate("RATE_LIMIT_REALTIME", Rate{60, time.Minute})

	defaultFormat := "text"
	if c.Env == Production {
		defaultFormat = "json"
	}
	c.LogFormat = strings.ToLower(p.str("LOG_FORMAT", defaultFormat))
	if c.LogFormat != "text" && c.LogFormat != "json" {
		p.fail("LOG_FORMAT", "must be text or json")
	}
	if err := c.LogLevel.UnmarshalText([]byte(p.str("LOG_LEVEL", "info"))); err != nil {
		p.fail("LOG_LEVEL", "must be debug, info, warn or error")
	}
	c.DBMaxOpenConns = p.integer("DB_MAX_OPEN_CONNS", 0)
	c.ShutdownTimeout = p.duration("SHUTDOWN_TIMEOUT", 20*time.Second)
	c.RequestTimeout = p.duration("REQUEST_TIMEOUT", 15*time.Second)
	c.PprofAddr = p.str("PPROF_ADDR", "")
	tz := p.str("KANTUTA_TZ", "America/La_Paz")
	if loc, err := time.LoadLocation(tz); err != nil || tz == "" || strings.EqualFold(tz, "local") {
		p.fail("KANTUTA_TZ", fmt.Sprintf("must be an IANA zone such as America/La_Paz, got %q", tz))
	} else {
		c.Location = loc
	}
	if c.PprofAddr != "" {
		// Profiles reveal memory contents: only the machine itself may read them.
		host, _, err := net.SplitHostPort(c.PprofAddr)
		ip, ipErr := netip.ParseAddr(host)
		loopback := host == "localhost" || (ipErr == nil && ip.IsLoopback())
		if err != nil || !loopback {
			p.fail("PPROF_ADDR", fmt.Sprintf("must be a loopback host:port such as 127.0.0.1:6060, got %q", c.PprofAddr))
		}
	}

	c.CookieSecure = p.boolean("COOKIE_SECURE", c.Env == Production)
	c.MetricsAddr = p.str("METRICS_ADDR", "")
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			p.fail("METRICS_ADDR", fmt.Sprintf("must be a host:port such as 10.0.0.5:9090 or :9090, got %q", c.MetricsAddr))
		}
	}
	c.MetricsToken = p.str("METRICS_TOKEN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		p.fail("METRICS_TOKEN", "must be at least 16 characters long")
	}

	if c.IsProduction() {
		if len(c.JWTSecret) < 32 {
			p.fail("JWT_SECRET", "must be set to at least 32 bytes in production")
		}
		if len(c.JWTRefreshSecret) < 32 {
			p.fail("JWT_REFRESH_SECRET", "must be set to at least 32 bytes in production")
		}
		for _, o := range c.CORSOrigins {
			if why := CORSPatternProblem(o); why != "" {
				p.fail("CORS_ORIGINS", fmt.Sprintf("must list the allowed origins in production: %q %s", o, why))
			}
		}
		if c.MailBackend == "console" {
			p.fail("MAIL_BACKEND", "console is not allowed in production: set SMTP_HOST")
		}
		if c.MailBackend == "smtp" && c.SMTP.TLS == "none" && !isLoopbackHost(c.SMTP.Host) {
			// Credentials and reset codes would cross the network in clear.
			p.fail("SMTP_TLS", fmt.Sprintf("none is allowed in production only with a loopback SMTP_HOST, not %q", c.SMTP.Host))
		}
		if c.MetricsAddr == "" && c.MetricsToken == "" {
			p.fail("METRICS_ADDR", "or METRICS_TOKEN must be set in production: /metrics would be public on the API's address")
		}
		if !c.CookieSecure {
			if len(c.TrustedProxies) == 0 {
				c.Warnings = append(c.Warnings, "COOKIE_SECURE=false in production and TRUSTED_PROXIES is empty: the session cookies will never be Secure (the server does not terminate TLS itself)")
			} else {
				c.Warnings = append(c.Warnings, "COOKIE_SECURE=false in production: the session cookies are Secure only when a trusted proxy sends X-Forwarded-Proto: https")
			}
		}
		for _, kv := range [][2]string{{"JWT_SECRET", string(c.JWTSecret)}, {"JWT_REFRESH_SECRET", string(c.JWTRefreshSecret)}} {
			if name, v := kv[0], kv[1]; IsPlaceholderSecret(v) {
				p.fail(name, "is a placeholder copied from an example: set a random value in production, e.g. `openssl rand -hex 32`")
			}
		}
		if IsPlaceholderSecret(c.AdminPassword) {
			p.fail("KANTUTA_ADMIN_PASSWORD", "is a placeholder copied from an example: set a real one, or leave it unset to get a random one printed once")
		}
	}
	if len(c.JWTSecret) > 0 && string(c.JWTSecret) == string(c.JWTRefreshSecret) {
		p.fail("JWT_REFRESH_SECRET", "must differ from JWT_SECRET")
	}
	if len(p.errs) > 0 {
		return Config{}, errors.Join(p.errs...)
	}
	return c, nil
}

// CORSPatternProblem says why an origin pattern must not be allowed in
// production ("" when it may): "*", "null" (sandboxed frames and file://
// pages all send it) and any wildcard that matches every host
// ("https://*", "http://*.com") or more than the subdomains of one
// registrable domain ("https://*example.com" also matches
// evilexample.com). "https://*.shop.example" stays allowed.
func CORSPatternProblem(origin string) string {
	o := strings.ToLower(strings.TrimSpace(origin))
	switch {
	case o == "*":
		return "matches every origin"
	case o == "null":
		return "is sent by sandboxed frames and local files, which anyone can make"
	case !strings.Contains(o, "*"):
		return ""
	}
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return "is not an http(s) origin"
	}
	if strings.Count(rest, "*") > 1 || !strings.HasPrefix(rest, "*.") {
		return "may use a wildcard only as the first label of a domain (https://*.shop.example)"
	}
	host := strings.TrimPrefix(rest, "*.")
	if h, port, err := net.SplitHostPort(host); err == nil {
		if _, perr := strconv.Atoi(port); perr != nil {
			return "has a malformed port"
		}
		host = h
	}
	if strings.ContainsAny(host, "/*:@") || host == "" {
		return "is not an origin pattern"
	}
	if etld1, err := publicsuffix.EffectiveTLDPlusOne(host); err != nil || !strings.HasSuffix(host, etld1) {
		return "matches every host under a public suffix"
	}
	return ""
}

// isLoopbackHost reports whether host names this machine.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// validPort reports whether s is a TCP port number from 1 to 65535.
func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// Placeholders are secrets copied from examples (docker-compose.yml, docs)
// that production must not run with.
var placeholderSecrets = []string{"change-me", "changeme", "change_me", "replace-me", "your-secret", "<"}

// IsPlaceholderSecret reports whether a secret looks copied from an example.
func IsPlaceholderSecret(v string) bool {
	l := strings.ToLower(v)
	for _, p := range placeholderSecrets {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// envFileError names the first line of the file that is not NAME=value:
// godotenv's own message quotes the text but not the line.
func envFileError(path string, err error) error {
	raw, rerr := os.ReadFile(path)
	if rerr != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if _, perr := godotenv.Unmarshal(line + "\n"); perr != nil {
			return fmt.Errorf("%s line %d: %q is not NAME=value (fix or delete the line; lines starting with # are comments)", path, i+1, t)
		}
	}
	return fmt.Errorf("read %s: %w", path, err)
}

// EnsureSecrets fills in missing JWT secrets outside production with random
// values kept in DataDir/secrets, so tokens survive a restart of `make run`.
func (c *Config) EnsureSecrets() error {
	if len(c.JWTSecret) > 0 && len(c.JWTRefreshSecret) > 0 {
		return nil
	}
	if c.IsProduction() {
		return errors.New("JWT_SECRET and JWT_REFRESH_SECRET are required in production")
	}
	path := filepath.Join(c.DataDir, "secrets")
	stored, err := godotenv.Read(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if stored == nil {
		stored = map[string]string{}
	}
	changed := false
	for _, k := range []string{"JWT_SECRET", "JWT_REFRESH_SECRET"} {
		if stored[k] == "" {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("generate %s: %w", k, err)
			}
			stored[k] = hex.EncodeToString(b)
			changed = true
		}
	}
	if changed {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return fmt.Errorf("create the data directory %s: %w; set KANTUTA_DATA_DIR to a directory this user can write", c.DataDir, err)
		}
		body := "JWT_SECRET=" + stored["JWT_SECRET"] + "\nJWT_REFRESH_SECRET=" + stored["JWT_REFRESH_SECRET"] + "\n"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if len(c.JWTSecret) == 0 {
		c.JWTSecret = []byte(stored["JWT_SECRET"])
	}
	if len(c.JWTRefreshSecret) == 0 {
		c.JWTRefreshSecret = []byte(stored["JWT_REFRESH_SECRET"])
	}
	return nil
}

type parser struct {
	env  map[string]string
	errs []error
}

func (p *parser) fail(name, why string) { p.errs = append(p.errs, fmt.Errorf("%s %s", name, why)) }

func (p *parser) str(name, def string) string {
	if v, ok := p.env[name]; ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (p *parser) integer(name string, def int) int {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(name, fmt.Sprintf("must be a whole number, got %q", v))
		return def
	}
	return n
}

func (p *parser) boolean(name string, def bool) bool {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, fmt.Sprintf("must be true or false, got %q", v))
		return def
	}
	return b
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, fmt.Sprintf("must be a positive duration such as 15m, 8h or 7d, got %q", v))
		return def
	}
	return d
}

func (p *parser) list(name, def string) []string {
	var out []string
	for _, item := range strings.Split(p.str(name, def), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func (p *parser) rate(name string, def Rate) Rate {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	r, err := ParseRate(v)
	if err != nil {
		p.fail(name, err.Error())
		return def
	}
	return r
}

// ParseDuration accepts Go durations ("90s", "1h30m") and the Nest/ms style
// the old server used ("7d", "2w", or a bare number of seconds).
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, fmt.Errorf("invalid duration %q", s)
			}
			return time.Duration(f * float64(unit)), nil
		}
	}
	return time.ParseDuration(s)
}

// ParseRate reads "30/min", "5/s", "100/h" or "10/30s".
func ParseRate(s string) (Rate, error) {
	n, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || count <= 0 {
		return Rate{}, fmt.Errorf("must look like 30/min, got %q", s)
	}
	per = strings.ToLower(strings.TrimSpace(per))
	units := map[string]time.Duration{
		"s": time.Second, "sec": time.Second, "second": time.Second,
		"m": time.Minute, "min": time.Minute, "minute": time.Minute,
		"h": time.Hour, "hour": time.Hour, "d": 24 * time.Hour, "day": 24 * time.Hour,
	}
	if d, ok := units[per]; ok {
		return Rate{count, d}, nil
	}
	d, err := ParseDuration(per)
	if err != nil || d <= 0 {
		return Rate{}, fmt.Errorf("must look like 30/min, got %q", s)
	}
	return Rate{count, d}, nil
}
