package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/kantuta/kantuta/internal/caja"
	"github.com/kantuta/kantuta/internal/cliente"
	"github.com/kantuta/kantuta/internal/database"
)

// seed runs `kantuta seed demo --clientes N` (demo customers) and/or
// `--ventas N` (historical demo sales with their report aggregates), in
// bulk, with a progress bar on the terminal.
func seed(args []string, stdout, stderr io.Writer) error {
	const usage = "usage: kantuta seed demo [--clientes N] [--ventas N]"
	if len(args) == 0 || args[0] != "demo" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("seed demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("clientes", 0, "number of demo customers to insert")
	nv := fs.Int("ventas", 0, "number of historical demo ventas to insert (with lines and aggregates)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *n < 0 || *n > 10_000_000 || *nv < 0 || *nv > 10_000_000 || *n+*nv == 0 {
		return errors.New(usage + " (each N from 1 to 10000000)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, db, err := open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if *n > 0 {
		if err := seedClientes(ctx, db, *n, stdout, stderr); err != nil {
			return err
		}
	}
	if *nv > 0 {
		bar := newBar(stderr, *nv, "ventas")
		start := time.Now()
		err := caja.NewStore(db).SeedDemo(ctx, *nv, cfg.Location, func(done int) { _ = bar.Set(done) })
		if err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		_ = bar.Finish()
		fmt.Fprintf(stdout, "inserted %d demo ventas in %s (%s)\n", *nv, time.Since(start).Round(time.Millisecond), db.Dialect)
	}
	return nil
}

func newBar(stderr io.Writer, n int, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(what),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
	)
}

func seedClientes(ctx context.Context, db *database.DB, n int, stdout, stderr io.Writer) error {
	bar := newBar(stderr, n, "clientes")
	start := time.Now()
	err := cliente.NewStore(db).SeedDemo(ctx, n, func(done int) { _ = bar.Set(done) })
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	_ = bar.Finish()
	fmt.Fprintf(stdout, "inserted %d demo clientes in %s (%s)\n", n, time.Since(start).Round(time.Millisecond), db.Dialect)
	return nil
}
