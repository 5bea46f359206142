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

	"github.com/kantuta/kantuta/internal/cliente"
)

// seed runs `kantuta seed demo --clientes N`: demo customers in bulk, with a
// progress bar on the terminal.
func seed(args []string, stdout, stderr io.Writer) error {
	const usage = "usage: kantuta seed demo --clientes N"
	if len(args) == 0 || args[0] != "demo" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("seed demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("clientes", 0, "number of demo customers to insert")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *n <= 0 || *n > 10_000_000 {
		return errors.New(usage + " (N from 1 to 10000000)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, db, err := open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()

	bar := progressbar.NewOptions(*n,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("clientes"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("clientes"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
	)
	start := time.Now()
	err = cliente.NewStore(db).SeedDemo(ctx, *n, func(done int) { _ = bar.Set(done) })
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	_ = bar.Finish()
	fmt.Fprintf(stdout, "inserted %d demo clientes in %s (%s)\n", *n, time.Since(start).Round(time.Millisecond), db.Dialect)
	return nil
}
