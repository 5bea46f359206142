// Command kantuta is the Kantuta POS server and its administration CLI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/kantuta/kantuta/internal/config"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `kantuta — Kantuta POS server

Usage:
  kantuta [serve]                          start the HTTP server (default)
  kantuta migrate up|down|status           manage the database schema
  kantuta admin create --email E --password P
                                           create an admin usuario
  kantuta admin reset-password --email E [--password P]
                                           set a usuario's password (a random one is printed
                                           when --password is not given); ends its sessions
  kantuta seed demo [--clientes N] [--productos N] [--ventas N] [--reset]
                                           demo customers, products (with categories and ALTA
                                           movements) and historical sales (with their report
                                           aggregates), in bulk, with progress
  kantuta reportes rebuild                 recompute the report aggregates from the ventas
  kantuta healthcheck [--url URL]          exit 0 when the server's /readyz answers 200
  kantuta version                          print the version

Every command answers -h/--help. Configuration comes from the environment and an
optional .env file in the working directory (see README and docs/configuration.md).
`

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitCode reports err on stderr and maps it to the exit status: 0 for
// success and for help asked for, 2 for a command line not understood
// (with the usage), 1 for everything else.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "kantuta: %s\n\n%s", ue.msg, ue.usage)
		return 2
	}
	fmt.Fprintln(stderr, "kantuta:", err)
	return 1
}

// errHelp is returned after a command printed its usage on request (exit 0).
var errHelp = errors.New("help requested")

// usageError is a command line the command does not understand: the message
// and the command's usage go to stderr, and the exit status is 2.
type usageError struct{ msg, usage string }

func (e *usageError) Error() string { return e.msg }

// parseFlags parses args with fs: -h/--help print usage to stdout
// (errHelp); an unknown flag or a positional argument is a usageError.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return errHelp
		}
		return &usageError{err.Error(), usage}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0)), usage}
	}
	return nil
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		const u = "Usage: kantuta serve\n\nStarts the HTTP server (also what `kantuta` alone does). It takes no arguments:\nthe configuration comes from the environment and .env (PORT, DATABASE_URL, …).\n"
		if err := parseFlags(flag.NewFlagSet("serve", flag.ContinueOnError), args, u, stdout); err != nil {
			return err
		}
		return serve(stdout, stderr)
	case "migrate":
		return migrate(args, stdout)
	case "admin":
		return admin(args, stdout)
	case "seed":
		return seed(args, stdout, stderr)
	case "reportes":
		return reportes(args, stdout)
	case "healthcheck":
		return healthcheck(args, stdout)
	case "version", "--version", "-v":
		const u = "Usage: kantuta version\n\nPrints the version this binary was built from.\n"
		if err := parseFlags(flag.NewFlagSet("version", flag.ContinueOnError), args, u, stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "kantuta", version)
		return nil
	case "help", "--help", "-h", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return &usageError{fmt.Sprintf("unknown command %q", cmd), usage}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open loads the configuration and opens the database, migrated.
func open(ctx context.Context, migrate bool) (config.Config, *database.DB, error) {
	cfg, err := config.Load()
	if err != nil {
		return cfg, nil, fmt.Errorf("configuration: %w", err)
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{MaxOpenConns: cfg.DBMaxOpenConns})
	if err != nil {
		return cfg, nil, err
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return cfg, nil, err
		}
	}
	return cfg, db, nil
}

func serve(stdout, stderr io.Writer) error {
	start := time.Now()
	if os.Getenv("GOMAXPROCS") == "" {
		// One P more than cores: while every core hashes a password (at a
		// lower OS priority, see auth.Hasher), requests still find a P.
		runtime.GOMAXPROCS(runtime.NumCPU() + 1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := config.Load()
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	// One server per SQLite file: a second one refuses before touching it.
	unlock, err := database.LockSQLite(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer unlock()
	// Listen before touching the database: a port in use is refused
	// before anything (a first admin, a migration) is written.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return listenError(cfg.Addr, err)
	}
	defer ln.Close()
	cfg, db, err := open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := newLogger(cfg, stderr)
	slog.SetDefault(logger)
	if err := cfg.EnsureSecrets(); err != nil {
		return err
	}
	app, err := server.New(cfg, db, logger)
	if err != nil {
		return err
	}
	email, password, err := app.Prepare(ctx)
	if err != nil {
		return err
	}
	if password != "" {
		// Printed once, on the terminal, never to the log.
		fmt.Fprintf(stdout, "\n  First admin created — keep these credentials, they are not shown again:\n"+
			"    email:    %s\n    password: %s\n\n", email, password)
	} else if email != "" {
		fmt.Fprintf(stdout, "\n  First admin created: %s (password from KANTUTA_ADMIN_PASSWORD)\n\n", email)
	}

	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Shutdown does not wait for hijacked WebSockets and would wait for
	// Socket.IO long-polls: close them as it begins.
	srv.RegisterOnShutdown(app.CloseConnections)
	if cfg.PprofAddr != "" {
		pprofSrv, err := servePprof(cfg.PprofAddr, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer pprofSrv.Close()
	}
	if cfg.MetricsAddr != "" {
		metricsSrv, err := serveMetrics(cfg.MetricsAddr, app.MetricsHandler(), logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer metricsSrv.Close()
	}
	workerCtx, stopWorkers := context.WithCancel(context.Background())
	waitWorkers := app.Start(workerCtx)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("kantuta ready", "addr", ln.Addr().String(), "database", db.Dialect,
		"version", version, "startup_ms", time.Since(start).Milliseconds())

	select {
	case err := <-serveErr:
		stopWorkers()
		waitWorkers()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	stopWorkers()
	waitWorkers()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// listenError names the setting that fixes a listener that cannot open.
func listenError(addr string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("cannot listen on %s: the port is already in use (another kantuta?): stop that process, or choose another port with PORT=… (or KANTUTA_ADDR=host:port)", addr)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("cannot listen on %s: this user may not open that port (ports below 1024 need privileges): choose PORT=3000 or another above 1023", addr)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Errorf("cannot listen on %s: this machine has no such address: fix the host in KANTUTA_ADDR", addr)
	}
	return fmt.Errorf("cannot listen on %s (PORT / KANTUTA_ADDR): %w", addr, err)
}

const migrateUsage = `Usage: kantuta migrate up|down|status

  up      apply every pending migration (serve does this at start too)
  down    roll back the newest applied migration
  status  the current schema version, then every migration and whether it is applied
          (does not create a SQLite database that does not exist yet)
`

func migrate(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{"migrate needs up, down or status", migrateUsage}
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, migrateUsage)
		return nil
	}
	sub := args[0]
	if sub != "up" && sub != "down" && sub != "status" {
		return &usageError{fmt.Sprintf("unknown migrate command %q (up, down or status)", sub), migrateUsage}
	}
	if err := parseFlags(flag.NewFlagSet("migrate "+sub, flag.ContinueOnError), args[1:], migrateUsage, stdout); err != nil {
		return err
	}
	ctx := context.Background()
	if sub == "status" {
		cfg, err := config.Load()
		if err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
		if cfg.IsSQLite() && !database.SQLiteExists(cfg.DatabaseURL) {
			// Asked to look, not to create: list the migrations as pending.
			ms, err := database.Migrations(database.SQLite)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "schema version: 0 (no database yet at %s; `kantuta migrate up` or `kantuta serve` creates it), %d pending\n",
				database.SQLitePath(cfg.DatabaseURL), len(ms))
			for _, m := range ms {
				fmt.Fprintf(stdout, "%05d  %-32s %s\n", m.Version, m.Path, "pending")
			}
			return nil
		}
	}
	_, db, err := open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "up":
		applied, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(stdout, "the schema is up to date")
		}
		for _, p := range applied {
			fmt.Fprintln(stdout, "applied", p)
		}
	case "down":
		p, err := db.MigrateDown(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "rolled back", p)
	case "status":
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		var current int64
		currentPath, pending := "none applied", 0
		for _, s := range st {
			if s.Applied && s.Version > current {
				current, currentPath = s.Version, s.Path
			}
			if !s.Applied {
				pending++
			}
		}
		fmt.Fprintf(stdout, "schema version: %d (%s), %d pending\n", current, currentPath, pending)
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%05d  %-32s %s\n", s.Version, s.Path, state)
		}
	default:
		return fmt.Errorf("unknown migrate command %q (up, down or status)", args[0])
	}
	return nil
}

const adminUsage = `Usage:
  kantuta admin create --email E --password P
      create an admin usuario (the email and the password follow the API's rules:
      a valid email of at most 150 characters, a password of 8 to 72 bytes)
  kantuta admin reset-password --email E [--password P]
      set the password of the usuario with email E, e.g. when the first admin's
      password is lost; without --password a random one is printed. Every session
      of that usuario ends and a login lockout on it is lifted.
`

func admin(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{"admin needs create or reset-password", adminUsage}
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, adminUsage)
		return nil
	}
	sub := args[0]
	if sub != "create" && sub != "reset-password" {
		return &usageError{fmt.Sprintf("unknown admin command %q (create or reset-password)", sub), adminUsage}
	}
	fs := flag.NewFlagSet("admin "+sub, flag.ContinueOnError)
	email := fs.String("email", "", "email of the usuario")
	password := fs.String("password", "", "password (8 to 72 bytes)")
	if err := parseFlags(fs, args[1:], adminUsage, stdout); err != nil {
		return err
	}
	if *email == "" || (sub == "create" && *password == "") {
		need := "--email and --password"
		if sub == "reset-password" {
			need = "--email"
		}
		return &usageError{"admin " + sub + " needs " + need, adminUsage}
	}
	ctx := context.Background()
	cfg, db, err := open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := cfg.EnsureSecrets(); err != nil {
		return err
	}
	app, err := server.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	if sub == "create" {
		u, err := app.CreateAdmin(ctx, *email, *password)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "admin created: id %d, %s\n", u.ID, u.Email)
		return nil
	}
	u, pw, err := app.ResetPassword(ctx, *email, *password)
	if err != nil {
		return fmt.Errorf("reset-password: %w", err)
	}
	fmt.Fprintf(stdout, "password reset for usuario %d (%s); every session of it has ended\n", u.ID, u.Email)
	if *password == "" {
		// Printed once, on the terminal, never to the log.
		fmt.Fprintf(stdout, "  new password: %s\n", pw)
	}
	if !u.Estado {
		fmt.Fprintln(stdout, "  note: this usuario is inactive and cannot sign in until an admin reactivates it (PATCH /usuario/:id {\"estado\":true})")
	}
	return nil
}

const healthcheckUsage = `Usage: kantuta healthcheck [--url URL]

Exits 0 when GET URL/readyz answers 200 within 3 s, 1 otherwise: a container
HEALTHCHECK for images without curl. URL defaults to http://127.0.0.1:PORT of
this configuration (PORT or KANTUTA_ADDR).
`

func healthcheck(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	base := fs.String("url", "", "base URL of the server")
	if err := parseFlags(fs, args, healthcheckUsage, stdout); err != nil {
		return err
	}
	if *base == "" {
		cfg, err := config.Load()
		if err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			return err
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		*base = "http://" + net.JoinHostPort(host, port)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	res, err := client.Get(strings.TrimSuffix(*base, "/") + "/readyz")
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %d: %s", res.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(stdout, "ok: %s\n", strings.TrimSpace(string(body)))
	return nil
}

// servePprof serves the runtime profiles on their own (loopback) listener,
// so that the API's address never exposes them.
func servePprof(addr string, logger *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on PPROF_ADDR %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("pprof listening", "addr", ln.Addr().String())
	return srv, nil
}

// serveMetrics serves /metrics on its own listener (METRICS_ADDR), an
// address the API's clients need not reach; the API's address then has no
// /metrics at all.
func serveMetrics(addr string, h http.Handler, logger *slog.Logger) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on METRICS_ADDR %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("metrics listening", "addr", ln.Addr().String())
	return srv, nil
}
