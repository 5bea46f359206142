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
	"github.com/kantuta/kantuta/internal/inventario"
)

// seed runs `kantuta seed demo --clientes N --productos M --ventas V`: demo
// customers, products and historical sales (with their report aggregates)
// in bulk, with a progress bar on the terminal. Products come before
// ventas, which sell them.
func seed(args []string, stdout, stderr io.Writer) error {
	const usage = "usage: kantuta seed demo [--clientes N] [--productos N] [--ventas N]"
	if len(args) == 0 || args[0] != "demo" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("seed demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("clientes", 0, "number of demo customers to insert")
	productos := fs.Int("productos", 0, "number of demo products to insert (with their categories and ALTA movements)")
	ventas := fs.Int("ventas", 0, "number of historical demo ventas to insert (with lines and aggregates)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *n < 0 || *n > 10_000_000 || *productos < 0 || *productos > 1_000_000 || *ventas < 0 || *ventas > 10_000_000 ||
		*n+*productos+*ventas == 0 {
		return errors.New(usage + " (clientes and ventas up to 10000000, productos up to 1000000, at least one)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, db, err := open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if *productos > 0 {
		if err := seedProductos(ctx, db, *productos, stdout, stderr); err != nil {
			return err
		}
	}
	if *n > 0 {
		if err := seedClientes(ctx, db, *n, stdout, stderr); err != nil {
			return err
		}
	}
	if *ventas > 0 {
		bar := newBar(stderr, *ventas, "ventas")
		start := time.Now()
		if err := caja.NewStore(db).SeedDemo(ctx, *ventas, cfg.Location, func(done int) { _ = bar.Set(done) }); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		_ = bar.Finish()
		fmt.Fprintf(stdout, "inserted %d demo ventas in %s (%s)\n", *ventas, time.Since(start).Round(time.Millisecond), db.Dialect)
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

// seedClientes runs the --clientes part of seed demo.
func seedClientes(ctx context.Context, db *database.DB, n int, stdout, stderr io.Writer) error {
	bar := newBar(stderr, n, "clientes")
	start := time.Now()
	if err := cliente.NewStore(db).SeedDemo(ctx, n, func(done int) { _ = bar.Set(done) }); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	_ = bar.Finish()
	fmt.Fprintf(stdout, "inserted %d demo clientes in %s (%s)\n", n, time.Since(start).Round(time.Millisecond), db.Dialect)
	return nil
}

// seedProductos runs the --productos part of seed demo.
func seedProductos(ctx context.Context, db *database.DB, n int, stdout, stderr io.Writer) error {
	bar := newBar(stderr, n, "productos")
	start := time.Now()
	if err := inventario.SeedDemo(ctx, db, n, func(done int) { _ = bar.Set(done) }); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	_ = bar.Finish()
	fmt.Fprintf(stdout, "inserted %d demo productos in %s (%s)\n", n, time.Since(start).Round(time.Millisecond), db.Dialect)
	return nil
}
