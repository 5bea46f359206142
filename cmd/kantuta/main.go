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
  kantuta seed demo --clientes N           insert N demo customers (bulk, with progress)
  kantuta seed demo --productos N          insert N demo products, their categories and ALTA movements
  kantuta reportes rebuild                 recompute the report aggregates from the ventas
  kantuta version                          print the version

Configuration comes from the environment and an optional .env file (see README).
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kantuta:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(stdout, stderr)
	case "migrate":
		return migrate(args, stdout)
	case "admin":
		return admin(args, stdout)
	case "seed":
		return seed(args, stdout, stderr)
	case "reportes":
		return reportes(args, stdout)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "kantuta", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
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

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if cfg.PprofAddr != "" {
		pprofSrv, err := servePprof(cfg.PprofAddr, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer pprofSrv.Close()
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

func migrate(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: kantuta migrate up|down|status")
	}
	ctx := context.Background()
	_, db, err := open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
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

func admin(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: kantuta admin create --email E --password P")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	email := fs.String("email", "", "email of the new admin")
	password := fs.String("password", "", "password (8 to 72 bytes)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *password == "" {
		return errors.New("admin create needs --email and --password")
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
	u, err := app.CreateAdmin(ctx, *email, *password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin created: id %d, %s\n", u.ID, u.Email)
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
