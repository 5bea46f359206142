package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/kantuta/kantuta/internal/caja"
	"github.com/kantuta/kantuta/internal/cliente"
	"github.com/kantuta/kantuta/internal/database"
	"github.com/kantuta/kantuta/internal/inventario"
)

const seedUsage = `Usage: kantuta seed demo [--clientes N] [--productos N] [--ventas N] [--reset]

Inserts demo data in bulk, with progress on stderr (at least one of):
  --clientes N    customers (realistic names, valid distinct cédulas, phones);
                  on PostgreSQL all of them or none (one transaction), and
                  from 50,000 on the customer table is locked until it ends
  --productos N   categories and products, with their ALTA stock movements
  --ventas N      historical sales with their lines and report aggregates
                  (they sell the products there are; products come first);
                  on PostgreSQL all of them or none (one transaction), and
                  from 50,000 on the sales and product tables are locked
                  until it ends (seed a shop that is not selling)
Everything is added to what is there; --reset deletes every customer first
(refused when other records point to them).
`

// seed runs `kantuta seed demo`: demo customers, products and sales in bulk.
func seed(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{"seed needs demo", seedUsage}
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, seedUsage)
		return nil
	}
	if args[0] != "demo" {
		return &usageError{fmt.Sprintf("unknown seed command %q (demo)", args[0]), seedUsage}
	}
	fs := flag.NewFlagSet("seed demo", flag.ContinueOnError)
	n := fs.Int("clientes", 0, "number of demo customers to insert")
	productos := fs.Int("productos", 0, "number of demo products to insert")
	ventas := fs.Int("ventas", 0, "number of historical demo ventas to insert")
	reset := fs.Bool("reset", false, "delete every customer first")
	if err := parseFlags(fs, args[1:], seedUsage, stdout); err != nil {
		return err
	}
	if *n < 0 || *n > 10_000_000 || *productos < 0 || *productos > 1_000_000 || *ventas < 0 || *ventas > 10_000_000 {
		return &usageError{"--clientes and --ventas go up to 10000000, --productos up to 1000000", seedUsage}
	}
	if *n+*productos+*ventas == 0 {
		return &usageError{"nothing to insert: give --clientes, --productos or --ventas", seedUsage}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, db, err := open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if *productos > 0 {
		if err := seedStep(stdout, stderr, db, *productos, "productos", func(set func(int)) error {
			return inventario.SeedDemo(ctx, db, *productos, set)
		}); err != nil {
			return err
		}
	}
	if *ventas > 0 {
		if err := seedStep(stdout, stderr, db, *ventas, "ventas", func(set func(int)) error {
			return caja.NewStore(db).SeedDemo(ctx, *ventas, cfg.Location, set)
		}); err != nil {
			return err
		}
	}
	if *n == 0 {
		return nil
	}
	store := cliente.NewStore(db)

	if *reset {
		deleted, err := store.DeleteAll(ctx)
		if err != nil {
			return fmt.Errorf("seed demo --reset: %w", err)
		}
		fmt.Fprintf(stdout, "deleted %d clientes (--reset)\n", deleted)
	} else if existing, err := store.Count(ctx); err != nil {
		return err
	} else if existing > 0 {
		// A rerun adds, it does not replace: say so before doing it.
		fmt.Fprintf(stdout, "note: %d clientes already exist; adding %d more (--reset deletes them first)\n", existing, *n)
	}

	p := newProgress(stderr, *n, "clientes")
	start := time.Now()
	if err := store.SeedDemo(ctx, *n, p.set); err != nil {
		p.done()
		return fmt.Errorf("seed demo: %w", err)
	}
	p.done()
	fmt.Fprintf(stdout, "inserted %d demo clientes in %s (%s)\n", *n, time.Since(start).Round(time.Millisecond), db.Dialect)
	return nil
}

// seedStep runs one bulk insert with its progress and closing line.
func seedStep(stdout, stderr io.Writer, db *database.DB, n int, unit string, run func(set func(int)) error) error {
	p := newProgress(stderr, n, unit)
	start := time.Now()
	err := run(p.set)
	p.done()
	if err != nil {
		return fmt.Errorf("seed demo --%s: %w", unit, err)
	}
	fmt.Fprintf(stdout, "inserted %d demo %s in %s (%s)\n", n, unit, time.Since(start).Round(time.Millisecond), db.Dialect)
	return nil
}

// progress reports how far a long job is: on a terminal one line redrawn
// in place (at most 10 times a second), elsewhere (a pipe, a CI log) plain
// lines, one per 10% or 10 s. The rate is shown once a second has passed,
// so that the first, tiny interval does not claim millions per second.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	total    int
	unit     string
	start    time.Time
	last     time.Time
	lastPct  int
	finished bool
	drawn    bool
}

func newProgress(w io.Writer, total int, unit string) *progress {
	return &progress{w: w, tty: isTerminal(w), total: total, unit: unit, start: time.Now(), lastPct: -1}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) line(done int, now time.Time) string {
	pct := 0
	if p.total > 0 {
		pct = done * 100 / p.total
	}
	s := fmt.Sprintf("%s %d/%d (%d%%)", p.unit, done, p.total, pct)
	if el := now.Sub(p.start); el >= time.Second && done > 0 {
		rate := float64(done) / el.Seconds()
		s += fmt.Sprintf(", %.0f %s/s", rate, p.unit)
		if done < p.total {
			s += fmt.Sprintf(", about %s left", (time.Duration(float64(p.total-done)/rate) * time.Second).Round(time.Second))
		}
	}
	return s
}

func (p *progress) set(done int) { p.setAt(done, time.Now()) }

func (p *progress) setAt(done int, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	if p.tty {
		if now.Sub(p.last) < 100*time.Millisecond && done < p.total {
			return
		}
		p.last = now
		fmt.Fprintf(p.w, "\r%-70s", p.line(done, now))
		p.drawn = true
		return
	}
	pct := done * 100 / max(p.total, 1)
	if pct/10 > p.lastPct/10 || now.Sub(p.last) >= 10*time.Second || done == p.total {
		p.lastPct, p.last = pct, now
		fmt.Fprintln(p.w, strings.TrimSpace(p.line(done, now)))
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn && !p.finished {
		fmt.Fprintln(p.w)
	}
	p.finished = true
}
